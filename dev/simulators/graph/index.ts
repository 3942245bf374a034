export { GraphSimulator, MAX_REQUEST_BODY_BYTES, MAX_UPLOAD_CHUNK_BYTES, type GraphSimulatorOptions } from './graph-simulator';
export { DEFAULT_LIMITS, type GraphLimits, type ThrottleReason } from './mailbox-limits';
export { SimulatorFaults, type ActiveFault, type FaultKind, type FaultSpec } from './simulator-faults';
export { SimulatorStats, type SimulatorStatsSnapshot } from './simulator-stats';
export {
  MAX_INLINE_ATTACHMENT_BYTES,
  MIN_UPLOAD_SESSION_BYTES,
  MAX_UPLOAD_SESSION_BYTES,
} from './graph-routes';
export type {
  MailboxExport,
  ExportedFolder,
  ExportedMessage,
  AttachmentRecord,
  ExtendedPropertyRecord,
  MultiValueExtendedPropertyRecord,
} from './mailbox-store';
export type { RequestLogEntry } from './request-log';
