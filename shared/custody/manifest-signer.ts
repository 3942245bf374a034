import type { TokenCredential } from '@azure/identity';
import { CryptographyClient } from '@azure/keyvault-keys';

/** Signs a manifest's bytes; the key never leaves its vault. */
export interface ManifestSigner {
  sign(bytes: Uint8Array): Promise<{ keyId: string; algorithm: 'RS256'; signature: Buffer }>;
}

/**
 * An RSA key in Key Vault (`ARCHIVER_MANIFEST_SIGNING_KEY_ID`); the app's identity needs the
 * "Key Vault Crypto User" role on it. The digest is computed here and only it is sent.
 */
export class KeyVaultManifestSigner implements ManifestSigner {
  readonly #client: CryptographyClient;

  constructor(keyId: string, credential: TokenCredential) {
    this.#client = new CryptographyClient(keyId, credential);
  }

  async sign(bytes: Uint8Array): Promise<{ keyId: string; algorithm: 'RS256'; signature: Buffer }> {
    const result = await this.#client.signData('RS256', bytes);
    return { keyId: result.keyID ?? this.#client.keyID ?? '', algorithm: 'RS256', signature: Buffer.from(result.result) };
  }
}
