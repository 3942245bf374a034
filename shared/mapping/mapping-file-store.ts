import { text } from 'node:stream/consumers';
import { createHash } from 'node:crypto';
import { RestError, type ContainerClient } from '@azure/storage-blob';
import { encodeBlobNameSegment } from '../archive/blob-names';
import { customMappingFromJson, type CustomMapping } from './custom-mapping';
import type { MappingFileVersion } from '../wire/admin-api-types';
// The admin API sends these as they are: defined once, with the admin page's other wire types.
export type { MappingFileVersion } from '../wire/admin-api-types';

/** `{connectorId}/current.json`: the mapping in force, as the import stage reads it. */
export interface CurrentMappingFile {
  /** `{timestamp}-{sha8}`, also the name of the version blob. */
  version: string;
  appliedAt: string;
  /** SHA-256 of the file's bytes, hex. */
  sha256: string;
  /** Data rows read from the file. */
  rows: number;
  mapping: CustomMapping;
}

export interface ApplyMappingFileInput {
  /** The file exactly as given; kept unchanged. */
  bytes: Uint8Array;
  /** The mapping read from it (a file without errors). */
  mapping: CustomMapping;
  rows: number;
  fileName?: string;
  /** Who applies it, kept with the version. */
  appliedBy?: string;
}

export interface MappingFileStore {
  /** The mapping in force for the import stage, or undefined when the connector has none. */
  getCurrentMapping(connectorId: string): Promise<CustomMapping | undefined>;
  getCurrent(connectorId: string): Promise<CurrentMappingFile | undefined>;
  listVersions(connectorId: string): Promise<MappingFileVersion[]>;
  /** The bytes of an applied version, as uploaded; undefined when there is no such version. */
  readVersion(connectorId: string, version: string): Promise<Uint8Array | undefined>;
  apply(connectorId: string, input: ApplyMappingFileInput): Promise<CurrentMappingFile>;
}

export interface BlobMappingFileStoreOptions {
  /**
   * How long {@link BlobMappingFileStore.getCurrentMapping} reuses what it read: every item of a
   * run needs the mapping, one read a minute is plenty. An applied file takes effect within this.
   * Default 60 s.
   */
  cacheMs?: number;
  clock?: () => Date;
}

/** Another mapping file became current for the connector while this one was being applied. */
export class ConcurrentMappingApplyError extends Error {
  override readonly name = 'ConcurrentMappingApplyError';

  constructor(readonly connectorId: string) {
    super(`Another mapping file was applied to connector "${connectorId}" at the same time`);
  }
}

export class InvalidStoredMappingError extends Error {
  override readonly name = 'InvalidStoredMappingError';

  constructor(readonly connectorId: string, readonly blobName: string, reason: string, options?: { cause?: unknown }) {
    super(`The stored mapping of connector "${connectorId}" (${blobName}) is not valid: ${reason}`, options);
  }
}

export const DEFAULT_MAPPING_CACHE_MS = 60_000;

/**
 * Mapping files in Blob Storage (container `mapping-files`): every applied file is kept as it was
 * uploaded, and `current.json` holds the parsed mapping in force. `current.json` is replaced only
 * when nobody replaced it since it was read, so two administrators applying at once cannot leave a
 * version that was never in force recorded as current.
 */
export class BlobMappingFileStore implements MappingFileStore {
  readonly #container: ContainerClient;
  readonly #cacheMs: number;
  readonly #clock: () => Date;
  readonly #cache = new Map<string, { until: number; value: Promise<CustomMapping | undefined> }>();
  #ensured: Promise<unknown> | undefined;

  constructor(container: ContainerClient, options: BlobMappingFileStoreOptions = {}) {
    this.#container = container;
    this.#cacheMs = options.cacheMs ?? DEFAULT_MAPPING_CACHE_MS;
    this.#clock = options.clock ?? (() => new Date());
  }

  /** The mapping in force, cached for `cacheMs`; `fresh` reads it now and refreshes the cache. */
  getCurrentMapping(connectorId: string, options: { fresh?: boolean } = {}): Promise<CustomMapping | undefined> {
    const now = Date.now();
    const hit = this.#cache.get(connectorId);
    if (hit !== undefined && hit.until > now && options.fresh !== true) return hit.value;
    const value = this.getCurrent(connectorId).then((current) => current?.mapping);
    const entry = { until: now + this.#cacheMs, value };
    this.#cache.set(connectorId, entry);
    // A failed read is not remembered: the next item asks again.
    value.catch(() => {
      if (this.#cache.get(connectorId) === entry) this.#cache.delete(connectorId);
    });
    return value;
  }

  async getCurrent(connectorId: string): Promise<CurrentMappingFile | undefined> {
    return (await this.#readCurrent(connectorId))?.record;
  }

  async listVersions(connectorId: string): Promise<MappingFileVersion[]> {
    const prefix = `${encodeBlobNameSegment(connectorId)}/versions/`;
    const versions: MappingFileVersion[] = [];
    try {
      for await (const blob of this.#container.listBlobsFlat({ prefix, includeMetadata: true })) {
        const version = blob.name.slice(prefix.length).replace(/\.csv$/, '');
        const metadata = blob.metadata ?? {};
        const fileName = metadata['filename'] === undefined ? undefined : safeDecode(metadata['filename']);
        const appliedBy = metadata['appliedby'] === undefined ? undefined : safeDecode(metadata['appliedby']);
        versions.push({
          version,
          appliedAt: metadata['appliedat'] ?? blob.properties.createdOn?.toISOString() ?? '',
          sha256: metadata['sha256'] ?? '',
          rows: Number(metadata['rows'] ?? Number.NaN),
          bytes: blob.properties.contentLength ?? 0,
          ...(fileName === undefined ? {} : { fileName }),
          ...(appliedBy === undefined ? {} : { appliedBy }),
          blobName: blob.name,
        });
      }
    } catch (error) {
      if (isStatus(error, 404)) return [];
      throw error;
    }
    // Version names start with a sortable timestamp.
    return versions.sort((a, b) => a.version.localeCompare(b.version));
  }

  async readVersion(connectorId: string, version: string): Promise<Uint8Array | undefined> {
    // Version names are `{timestamp}-{sha8}`: anything else names no blob of ours.
    if (!/^[0-9TZ]+-[0-9a-f]{8}$/.test(version)) return undefined;
    try {
      return await this.#container.getBlobClient(`${encodeBlobNameSegment(connectorId)}/versions/${version}.csv`).downloadToBuffer();
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  async apply(connectorId: string, input: ApplyMappingFileInput): Promise<CurrentMappingFile> {
    await this.#ensureContainer();
    const previous = await this.#readCurrent(connectorId);
    const appliedAt = this.#clock().toISOString();
    const sha256 = createHash('sha256').update(input.bytes).digest('hex');
    const version = `${appliedAt.replace(/[-:.]/g, '')}-${sha256.slice(0, 8)}`;
    const folder = encodeBlobNameSegment(connectorId);

    const versionBlob = this.#container.getBlockBlobClient(`${folder}/versions/${version}.csv`);
    try {
      await versionBlob.uploadData(input.bytes, {
        blobHTTPHeaders: { blobContentType: 'text/csv' },
        metadata: {
          appliedat: appliedAt,
          sha256,
          rows: String(input.rows),
          ...(input.fileName === undefined ? {} : { filename: encodeURIComponent(input.fileName) }),
          ...(input.appliedBy === undefined ? {} : { appliedby: encodeURIComponent(input.appliedBy) }),
        },
        // A version is never overwritten; the same name means the same bytes in the same millisecond.
        conditions: { ifNoneMatch: '*' },
      });
    } catch (error) {
      if (!isStatus(error, 409)) throw error;
    }

    const record: CurrentMappingFile = { version, appliedAt, sha256, rows: input.rows, mapping: input.mapping };
    const body = Buffer.from(JSON.stringify(record), 'utf8');
    try {
      await this.#container.getBlockBlobClient(`${folder}/current.json`).uploadData(body, {
        blobHTTPHeaders: { blobContentType: 'application/json' },
        conditions: previous === undefined ? { ifNoneMatch: '*' } : { ifMatch: previous.etag },
      });
    } catch (error) {
      if (isStatus(error, 409) || isStatus(error, 412)) {
        // The version was never in force: do not leave it listed as if it had been.
        await versionBlob.deleteIfExists().catch(() => undefined);
        throw new ConcurrentMappingApplyError(connectorId);
      }
      throw error;
    }
    this.#cache.delete(connectorId);
    return record;
  }

  async #readCurrent(connectorId: string): Promise<{ record: CurrentMappingFile; etag: string } | undefined> {
    const blobName = `${encodeBlobNameSegment(connectorId)}/current.json`;
    let text: string;
    let etag: string;
    try {
      const response = await this.#container.getBlobClient(blobName).download();
      etag = response.etag ?? '';
      text = await readText(response.readableStreamBody);
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
    return { record: parseCurrent(connectorId, blobName, text), etag };
  }

  #ensureContainer(): Promise<unknown> {
    this.#ensured ??= this.#container.createIfNotExists().catch((error: unknown) => {
      this.#ensured = undefined;
      throw error;
    });
    return this.#ensured;
  }
}

function parseCurrent(connectorId: string, blobName: string, text: string): CurrentMappingFile {
  const fail = (reason: string, cause?: unknown): never => {
    throw new InvalidStoredMappingError(connectorId, blobName, reason, cause === undefined ? undefined : { cause });
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail('it is not JSON', error);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('it is not a JSON object');
  const v = value as Record<string, unknown>;
  for (const field of ['version', 'appliedAt', 'sha256'] as const) {
    if (typeof v[field] !== 'string' || v[field] === '') fail(`"${field}" is not a non-empty string`);
  }
  if (typeof v.rows !== 'number' || !Number.isInteger(v.rows) || v.rows < 0) fail('"rows" is not a count');
  let mapping: CustomMapping;
  try {
    mapping = customMappingFromJson(v.mapping);
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error), error);
  }
  return { version: v.version as string, appliedAt: v.appliedAt as string, sha256: v.sha256 as string, rows: v.rows as number, mapping };
}

async function readText(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  return stream === undefined ? '' : text(stream);
}

function isStatus(error: unknown, status: number): boolean {
  return error instanceof RestError && error.statusCode === status;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
