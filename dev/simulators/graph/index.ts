export { GraphSimulator, MAX_REQUEST_BODY_BYTES, type GraphSimulatorOptions } from './graph-simulator';
export type { GraphLimits, MailboxActivity } from './mailbox-limits';
export { LatencyModel, type LatencyOptions } from './latency-model';
export { SimulatorFaults, type ActiveFault, type FaultKind, type FaultSpec } from './simulator-faults';
export { SimulatorStats, type SimulatorStatsSnapshot } from './simulator-stats';
export type {
  MailboxExport,
  ExportedFolder,
  ExportedMessage,
  AttachmentRecord,
} from './mailbox-store';
export type { RequestLogEntry } from './request-log';
/** How the simulator reads create requests against Graph's schema, for the converter's acceptance test. */
export { MailSchema } from './mail-schema';
export { parseFileAttachment, parseMessageCreate, parseUploadSessionRequest } from './request-bodies';
