/**
 * The local Functions host: the public API of dev/host. Code outside this folder imports from
 * here only (an ESLint rule enforces it); everything else in the folder is the host's own.
 */
export { FunctionsHost, type FunctionsHostOptions, type FunctionDescription, type HostState } from './functions-host';
export { HostProcess, HostProcessError, type HostProcessOptions } from './host-process';
export { waitUntilDrained, type WaitForDrainedOptions } from './drain-wait';
export {
  DrainTimeoutError,
  FunctionNotFoundError,
  HostStartupError,
  InvalidScheduleError,
  InvocationRefusedError,
  MissingSettingError,
} from './errors';
export { readBlobsExtensionKey } from './host-secrets';
export { readHostJson } from './host-settings';
export { resolveBlobsOptions } from './queues-options';
