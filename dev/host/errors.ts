/** Typed errors of the local Functions host. Messages name the item, the field and the cause. */

/** The host cannot start: bad configuration, an app that fails to load, or an unsupported function. */
export class HostStartupError extends Error {
  override readonly name: string = 'HostStartupError';
  /** The function the problem belongs to, when it belongs to one. */
  readonly functionName?: string;

  constructor(message: string, options: { functionName?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.functionName !== undefined) this.functionName = options.functionName;
  }
}

/** A `%Name%` token refers to an app setting that is not set. */
export class MissingSettingError extends Error {
  override readonly name = 'MissingSettingError';

  constructor(
    readonly settingName: string,
    usage: string,
  ) {
    super(`${usage} refers to app setting '${settingName}', which is not set (local.settings.json Values or the environment).`);
  }
}

/** A timer schedule that is not a valid six-field NCRONTAB expression. */
export class InvalidScheduleError extends HostStartupError {
  override readonly name: string = 'InvalidScheduleError';

  constructor(
    functionName: string,
    readonly schedule: string,
    reason: string,
  ) {
    super(`The schedule '${schedule}' of timer function '${functionName}' is invalid: ${reason}`, { functionName });
  }
}

/** Misuse of the `@azure/functions-core` API (the worker calls these "system errors"). */
export class FunctionsCoreError extends Error {
  override readonly name = 'FunctionsCoreError';
  /** The library checks this flag to tell host errors from user errors. */
  readonly isAzureFunctionsSystemError = true;
}

/** An invocation or admin request named a function that is not registered. */
export class FunctionNotFoundError extends Error {
  override readonly name = 'FunctionNotFoundError';

  constructor(readonly functionName: string) {
    super(`No function named '${functionName}' is registered in this app.`);
  }
}

/** An invocation the host will not start: an HTTP function through the admin API, or a stopping host. */
export class InvocationRefusedError extends Error {
  override readonly name = 'InvocationRefusedError';
}

/** A `{name}` binding expression could not be resolved for an invocation. */
export class BindingExpressionError extends Error {
  override readonly name = 'BindingExpressionError';
}

/** `waitForDrained` gave up. */
export class DrainTimeoutError extends Error {
  override readonly name = 'DrainTimeoutError';

  constructor(timeoutMs: number, settleMs: number) {
    super(`The host did not stay drained for ${settleMs} ms within ${timeoutMs} ms.`);
  }
}

/** Normalises anything thrown into an Error, keeping Errors as they are. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (typeof thrown === 'string') return new Error(thrown);
  try {
    return new Error(`Non-error value thrown: ${JSON.stringify(thrown)}`);
  } catch {
    return new Error(`Non-error value thrown: ${String(thrown)}`);
  }
}
