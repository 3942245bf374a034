import { SecretClient } from '@azure/keyvault-secrets';
import type { TokenCredential } from '@azure/identity';

export class SecretNotFoundError extends Error {
  override readonly name = 'SecretNotFoundError';
  constructor(readonly secretName: string, where: string) {
    super(`Secret "${secretName}" was not found in ${where}`);
  }
}

/** Where TeleMessage credentials live: Key Vault in Azure, app settings locally. */
export interface SecretStore {
  get(name: string): Promise<string>;
}

/**
 * Locally, a secret is the app setting `SECRET_<NAME>` (upper-cased, other characters as `_`),
 * so `telemessage-att-main-password` is `SECRET_TELEMESSAGE_ATT_MAIN_PASSWORD` in local.settings.json.
 */
export class AppSettingsSecretStore implements SecretStore {
  constructor(private readonly env: Readonly<Record<string, string | undefined>> = process.env) {}

  async get(name: string): Promise<string> {
    const setting = secretSettingName(name);
    const value = this.env[setting];
    if (!value) throw new SecretNotFoundError(name, `app setting ${setting}`);
    return value;
  }
}

export function secretSettingName(secretName: string): string {
  return `SECRET_${secretName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Key Vault secrets, read with the app's managed identity; values are cached briefly. */
export class KeyVaultSecretStore implements SecretStore {
  readonly #client: SecretClient;
  readonly #cache = new Map<string, { value: string; until: number }>();

  constructor(vaultUri: string, credential: TokenCredential, private readonly cacheMs = 5 * 60_000) {
    this.#client = new SecretClient(vaultUri, credential);
  }

  async get(name: string): Promise<string> {
    const hit = this.#cache.get(name);
    if (hit && hit.until > Date.now()) return hit.value;
    let value: string | undefined;
    try {
      value = (await this.#client.getSecret(name)).value;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) throw new SecretNotFoundError(name, 'Key Vault');
      throw err;
    }
    if (!value) throw new SecretNotFoundError(name, 'Key Vault');
    this.#cache.set(name, { value, until: Date.now() + this.cacheMs });
    return value;
  }
}
