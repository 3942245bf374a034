import type { RegisteredFunction } from './contracts';

/** A storage trigger binding the host cannot serve: names the function, the option and why. */
export class TriggerConfigurationError extends Error {
  override readonly name = 'TriggerConfigurationError';
  constructor(readonly functionName: string, readonly trigger: 'queue' | 'blob', readonly field: string, cause: string) {
    super(`Function '${functionName}': ${trigger} trigger ${field} ${cause}`);
  }
}

/** A trigger binding option that must be a string when given; empty counts as not given. */
export function optionalStringOption(fn: RegisteredFunction, trigger: 'queue' | 'blob', option: string): string | undefined {
  const value = fn.trigger[option];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new TriggerConfigurationError(fn.name, trigger, `'${option}'`, `must be a string, got ${typeof value}`);
  return value;
}

/** Client-side retries of the listeners stay short: the polling loop is the real retry, and stop() must not hang. */
export const LISTENER_STORAGE_RETRY = { maxTries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 } as const;
