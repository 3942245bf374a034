export {
  TeleMessageSimulator,
  type TeleMessageSimulatorOptions,
  type CapturedItemInput,
} from './telemessage-simulator';
export {
  FaultInjector,
  FaultSpecError,
  FAULT_KINDS,
  parseFaultSpec,
  type FaultSpec,
  type FaultKind,
  type FaultRoute,
  type ActiveFault,
} from './faults';
export {
  SimulatorStats,
  type SimulatorRoute,
  type StatsRoute,
  type ResponseOutcome,
  type StatsSnapshot,
} from './simulator-stats';
export { startLiveCapture, type LiveCapture, type LiveCaptureOptions } from './live-capture';
export {
  emlExportEntries,
  emlExportZipName,
  emlManifest,
  itemEml,
  writeEmlExportZip,
  zipEntries,
  NUMBER_ADDRESS_DOMAIN,
  type AttachmentBytes,
  type EmlExportEntry,
} from './eml-export';
