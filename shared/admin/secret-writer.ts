import type { TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { secretSettingName } from '../platform/secrets/secret-store';
import { SecretWriteError } from './admin-errors';
import { writeLocalSetting } from './local-settings-file';

/** Stores a TeleMessage password where the app's {@link SecretStore} reads it. */
export interface SecretWriter {
  /** Where secrets go, for messages: "Key Vault https://…", "local.settings.json (…)". */
  readonly description: string;
  set(name: string, value: string): Promise<void>;
}

/** Key Vault, written with the administrator's own credential (the app's identity only reads). */
export class KeyVaultSecretWriter implements SecretWriter {
  readonly description: string;
  readonly #client: SecretClient;

  constructor(vaultUri: string, credential: TokenCredential) {
    this.description = `Key Vault ${vaultUri}`;
    this.#client = new SecretClient(vaultUri, credential);
  }

  async set(name: string, value: string): Promise<void> {
    try {
      await this.#client.setSecret(name, value, { contentType: 'TeleMessage API password' });
    } catch (error) {
      // The SDK's error object carries the request, whose body holds the value: only the message is kept.
      throw new SecretWriteError(name, this.description, redact(error, value));
    }
  }
}

/**
 * Locally, the app reads secret `NAME` from the app setting `SECRET_<NAME>`; Core Tools (and the
 * project's own host) take app settings from local.settings.json when they start, so a host that
 * is running sees the new value after a restart.
 */
export class LocalSettingsSecretWriter implements SecretWriter {
  readonly description: string;

  constructor(private readonly file: string) {
    this.description = `${file}`;
  }

  async set(name: string, value: string): Promise<void> {
    try {
      await writeLocalSetting(this.file, secretSettingName(name), value);
    } catch (error) {
      throw new SecretWriteError(name, this.description, redact(error, value));
    }
  }
}

/**
 * Locally, in the function app: writes the file as {@link LocalSettingsSecretWriter} does and sets
 * the same app setting in this process, where the app's secret store reads it.
 */
export class ProcessEnvSecretWriter implements SecretWriter {
  readonly description: string;

  constructor(private readonly file: SecretWriter, private readonly env: Record<string, string | undefined>) {
    this.description = file.description;
  }

  async set(name: string, value: string): Promise<void> {
    await this.file.set(name, value);
    this.env[secretSettingName(name)] = value;
  }
}

function redact(error: unknown, value: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  return new Error(value === '' ? message : message.split(value).join('***'));
}
