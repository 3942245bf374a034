import { isArchiveSourceError } from '../telemessage/archive-source-errors';
import { RETRY_BUDGETS } from '../platform/resilience';
import type { AddressPolicy } from '../telemessage/address-policy';
import { TeleMessageClient } from '../telemessage/telemessage-client';
import { describeError, TeleMessageCheckError } from './admin-errors';

export interface TeleMessageCredentials {
  baseUrl: string;
  username: string;
  /** Sent to TeleMessage only; never part of an error. */
  password: string;
}

/** Proves TeleMessage accepts the credentials; rejects with {@link TeleMessageCheckError} otherwise. */
export type TeleMessageCredentialCheck = (credentials: TeleMessageCredentials, options?: { signal?: AbortSignal }) => Promise<void>;

export interface TeleMessageCheckOptions {
  /** Which addresses the check may connect to (the password is sent): the base URL's own policy. */
  addressPolicy: AddressPolicy;
  /** Attempts in all for a TeleMessage that does not answer or answers 5xx. Default 2: an administrator is waiting. */
  maxAttempts?: number;
  /** Longest wait for one answer. Default 15 s. */
  requestTimeoutMs?: number;
}

/** The check against TeleMessage itself: one token request through {@link TeleMessageClient}. */
export function teleMessageCredentialCheck(options: TeleMessageCheckOptions): TeleMessageCredentialCheck {
  return async (credentials, callOptions = {}) => {
    const client = new TeleMessageClient({
      baseUrl: credentials.baseUrl,
      username: credentials.username,
      password: credentials.password,
      retry: RETRY_BUDGETS.admin.with(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
      addressPolicy: options.addressPolicy,
    });
    try {
      await client.verifyConnection({ signal: callOptions.signal });
    } catch (error) {
      if (isArchiveSourceError(error) && error.reason === 'authentication') {
        throw new TeleMessageCheckError(
          `TeleMessage at ${credentials.baseUrl} rejected the credentials of user "${credentials.username}": check the username and the password secret`,
          'rejected',
          { cause: error },
        );
      }
      if (callOptions.signal?.aborted) throw error;
      // The client's errors never carry the password; its message says what was tried and why it failed.
      throw new TeleMessageCheckError(
        `TeleMessage at ${credentials.baseUrl} could not be reached to check the credentials: ${describeError(error)}`,
        'unreachable',
        { cause: error },
      );
    } finally {
      await client.close();
    }
  };
}
