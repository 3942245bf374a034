import type { Connector } from '../connectors/connector';
import type { ConnectorStore } from '../connectors/connector-store';
import type { UserDirectory } from '../mapping/directory';
import { parseMappingFile, type MappingFileReport } from '../mapping/mapping-file';
import { parseRegionCode } from '../mapping/phone-number';
import { DirectoryUnavailableError, MappingFileConflictError, MappingFileRejectedError } from './admin-errors';
import { connectorIdArgument } from './connector-settings';
import { ConcurrentMappingApplyError, type CurrentMappingFile, type MappingFileStore, type MappingFileVersion } from '../mapping/mapping-file-store';

export interface MappingFileRequest {
  connectorId: string;
  /** The file's bytes exactly as the administrator has them. */
  bytes: Uint8Array;
  /** The file's own name, kept with the version for people. */
  fileName?: string;
}

export interface MappingAdminDependencies {
  connectors: ConnectorStore;
  mappingFiles: MappingFileStore;
  /** When given, every mapped address is looked up and one that cannot receive items is warned about. */
  directory?: UserDirectory;
  signal?: AbortSignal;
}

export interface AppliedMappingFile {
  report: MappingFileReport & { ok: true };
  current: CurrentMappingFile;
  connector: Connector;
}

/** Reads and checks a mapping file against a connector's region (and the directory); changes nothing. */
export async function validateMappingFile(
  request: MappingFileRequest,
  deps: Omit<MappingAdminDependencies, 'mappingFiles'>,
): Promise<MappingFileReport> {
  const connector = await deps.connectors.get(connectorIdArgument(request.connectorId, 'connector'));
  return readMappingFile(connector, request.bytes, deps);
}

/**
 * Applies a mapping file: a file with any error is refused with {@link MappingFileRejectedError}
 * and the mapping in force stays; otherwise the file is kept as a new version, its mapping
 * becomes the one in force, and the connector records it.
 */
export async function applyMappingFile(request: MappingFileRequest, deps: MappingAdminDependencies): Promise<AppliedMappingFile> {
  const connectorId = connectorIdArgument(request.connectorId, 'connector');
  const connector = await deps.connectors.get(connectorId);
  const report = await readMappingFile(connector, request.bytes, deps);
  if (!report.ok) throw new MappingFileRejectedError(connectorId, report);
  const current = await deps.mappingFiles
    .apply(connectorId, {
      bytes: request.bytes,
      mapping: report.mapping,
      rows: report.stats.rows,
      ...(request.fileName === undefined ? {} : { fileName: request.fileName }),
    })
    .catch((error: unknown) => {
      throw error instanceof ConcurrentMappingApplyError ? new MappingFileConflictError(connectorId) : error;
    });
  const updated = await deps.connectors.update(connectorId, (c) => ({
    ...c,
    mappingFile: { version: current.version, appliedAt: current.appliedAt, rows: current.rows },
  }));
  return { report, current, connector: updated };
}

/** The mapping in force, or undefined when none was ever applied. */
export async function showMapping(connectorId: string, deps: Pick<MappingAdminDependencies, 'connectors' | 'mappingFiles'>): Promise<CurrentMappingFile | undefined> {
  const id = connectorIdArgument(connectorId, 'connector');
  await deps.connectors.get(id);
  return deps.mappingFiles.getCurrent(id);
}

export interface MappingVersionListing {
  /** The version in force, if any. */
  current?: string;
  /** Oldest first. */
  versions: MappingFileVersion[];
}

export async function listMappingVersions(connectorId: string, deps: Pick<MappingAdminDependencies, 'connectors' | 'mappingFiles'>): Promise<MappingVersionListing> {
  const id = connectorIdArgument(connectorId, 'connector');
  await deps.connectors.get(id);
  const [current, versions] = await Promise.all([deps.mappingFiles.getCurrent(id), deps.mappingFiles.listVersions(id)]);
  return current === undefined ? { versions } : { current: current.version, versions };
}

async function readMappingFile(
  connector: Connector,
  bytes: Uint8Array,
  deps: { directory?: UserDirectory; signal?: AbortSignal },
): Promise<MappingFileReport> {
  try {
    return await parseMappingFile(bytes, {
      defaultRegion: parseRegionCode(connector.defaultRegion),
      ...(deps.directory === undefined ? {} : { directory: deps.directory }),
      ...(deps.signal === undefined ? {} : { abortSignal: deps.signal }),
    });
  } catch (error) {
    if (deps.signal?.aborted || deps.directory === undefined) throw error;
    throw new DirectoryUnavailableError(error);
  }
}
