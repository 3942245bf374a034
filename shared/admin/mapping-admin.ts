import type { Connector } from '../connectors/connector';
import type { ConnectorStore } from '../connectors/connector-store';
import type { UserDirectory } from '../mapping/directory';
import { parseMappingFile, type MappingFileReport } from '../mapping/mapping-file';
import { parseRegionCode } from '../mapping/phone-number';
import { DirectoryUnavailableError, InvalidAdminInputError, MappingFileConflictError, MappingFileRejectedError } from './admin-errors';
import { connectorIdArgument, parseRegion } from './connector-settings';
import { ConcurrentMappingApplyError, type CurrentMappingFile, type MappingFileStore } from '../mapping/mapping-file-store';
import type { MappingDiff, MappingVersionListing } from '../wire/admin-api-types';
// The admin API sends these as they are: defined once, with the admin page's other wire types.
export type { MappingDiff, MappingVersionListing } from '../wire/admin-api-types';

export interface MappingFileRequest {
  connectorId: string;
  /** The file's bytes exactly as the administrator has them. */
  bytes: Uint8Array;
  /** The file's own name, kept with the version for people. */
  fileName?: string;
  /** Who applies it, kept with the version (`cli:<user>`, or the signed-in administrator's name). */
  appliedBy?: string;
}

/** The largest mapping file read, from the command line or the web page (10 MiB). */
export const MAX_MAPPING_FILE_BYTES = 10 * 1024 * 1024;

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
      ...(request.appliedBy === undefined ? {} : { appliedBy: request.appliedBy }),
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

export async function listMappingVersions(connectorId: string, deps: Pick<MappingAdminDependencies, 'connectors' | 'mappingFiles'>): Promise<MappingVersionListing> {
  const id = connectorIdArgument(connectorId, 'connector');
  await deps.connectors.get(id);
  const [current, versions] = await Promise.all([deps.mappingFiles.getCurrent(id), deps.mappingFiles.listVersions(id)]);
  return current === undefined ? { versions } : { current: current.version, versions };
}

/**
 * Checks a mapping file for a connector not added yet (the page's add wizard), its numbers read as
 * `region`'s; nothing is stored.
 */
export async function validateNewConnectorMappingFile(
  request: { region: string; bytes: Uint8Array },
  deps: { directory?: UserDirectory; signal?: AbortSignal },
): Promise<MappingFileReport> {
  return readMappingFile({ defaultRegion: parseRegion(request.region) }, request.bytes, deps);
}

async function readMappingFile(
  connector: Pick<Connector, 'defaultRegion'>,
  bytes: Uint8Array,
  deps: { directory?: UserDirectory; signal?: AbortSignal },
): Promise<MappingFileReport> {
  try {
    return await parseMappingFile(bytes, {
      defaultRegion: parseRegionCode(connector.defaultRegion),
      maxBytes: MAX_MAPPING_FILE_BYTES,
      ...(deps.directory === undefined ? {} : { directory: deps.directory }),
      ...(deps.signal === undefined ? {} : { abortSignal: deps.signal }),
    });
  } catch (error) {
    if (deps.signal?.aborted || deps.directory === undefined) throw error;
    throw new DirectoryUnavailableError(error);
  }
}

async function versionEntries(connector: Connector, version: string, field: string, deps: Pick<MappingAdminDependencies, 'mappingFiles'>): Promise<Readonly<Record<string, string>>> {
  const bytes = await deps.mappingFiles.readVersion(connector.id, version);
  if (bytes === undefined) throw new InvalidAdminInputError(field, `connector "${connector.id}" has no mapping version "${version.slice(0, 80)}"`);
  // Read without the directory: the versions were checked when they were applied.
  const report = await parseMappingFile(bytes, { defaultRegion: parseRegionCode(connector.defaultRegion), maxBytes: MAX_MAPPING_FILE_BYTES });
  return report.mapping?.entries ?? {};
}

/** The difference between two applied versions of a connector's mapping file. */
export async function diffMappingVersions(connectorId: string, from: string, to: string, deps: Pick<MappingAdminDependencies, 'connectors' | 'mappingFiles'>): Promise<MappingDiff> {
  const connector = await deps.connectors.get(connectorIdArgument(connectorId, 'connector'));
  const [before, after] = await Promise.all([versionEntries(connector, from, 'from', deps), versionEntries(connector, to, 'to', deps)]);
  const diff: MappingDiff = { from, to, added: [], removed: [], changed: [], unchanged: 0 };
  for (const [number, address] of Object.entries(after)) {
    const previous = before[number];
    if (previous === undefined) diff.added.push({ number, address });
    else if (previous !== address) diff.changed.push({ number, from: previous, to: address });
    else diff.unchanged += 1;
  }
  for (const [number, address] of Object.entries(before)) if (after[number] === undefined) diff.removed.push({ number, address });
  for (const list of [diff.added, diff.removed, diff.changed]) list.sort((a, b) => a.number.localeCompare(b.number));
  return diff;
}

/**
 * Puts an earlier version back in force: its bytes are applied again (checked as any file is), so
 * the roll-back is itself a version, with who did it, and the history stays whole.
 */
export async function rollbackMapping(
  request: { connectorId: string; version: string; appliedBy?: string },
  deps: MappingAdminDependencies,
): Promise<AppliedMappingFile & { rolledBackTo: string }> {
  const connectorId = connectorIdArgument(request.connectorId, 'connector');
  await deps.connectors.get(connectorId);
  const bytes = await deps.mappingFiles.readVersion(connectorId, request.version);
  if (bytes === undefined) throw new InvalidAdminInputError('version', `connector "${connectorId}" has no mapping version "${request.version.slice(0, 80)}"`);
  const original = (await deps.mappingFiles.listVersions(connectorId)).find((v) => v.version === request.version);
  const applied = await applyMappingFile(
    {
      connectorId,
      bytes,
      fileName: `${original?.fileName ?? `${request.version}.csv`} (rolled back to ${request.version})`,
      ...(request.appliedBy === undefined ? {} : { appliedBy: request.appliedBy }),
    },
    deps,
  );
  return { ...applied, rolledBackTo: request.version };
}
