import type { RestError } from '@azure/storage-blob';
import type { HostStorageClients } from './host-storage-clients';
import { dotNetDateTimeOffset } from './trigger-metadata';

/** The container where the Functions host keeps its own state. */
export const HOSTS_CONTAINER = 'azure-webjobs-hosts';

/** A timer's persisted schedule status (the `useMonitor` feature), as the host stores it. */
export interface ScheduleStatus {
  /** The last occurrence that ran; undefined before the first run. */
  last?: Date;
  /** The occurrence expected next. */
  next: Date;
  lastUpdated: Date;
}

/** How the WebJobs SDK serialises the status blob and the timer input's `ScheduleStatus` (Json.NET dates). */
export interface ScheduleStatusJson {
  Last: string;
  Next: string;
  LastUpdated: string;
}

/** .NET's `default(DateTime)`, which the host reports as `Last` before the first run. */
export const NEVER_RUN = '0001-01-01T00:00:00+00:00';

/** The blob (in {@link HOSTS_CONTAINER}) that holds a timer function's schedule status. */
export function timerStatusBlobName(hostId: string, functionName: string): string {
  return `timers/${hostId}/Host.Functions.${functionName}/status`;
}

export function toScheduleStatusJson(status: ScheduleStatus): ScheduleStatusJson {
  return {
    Last: status.last ? dotNetDateTimeOffset(status.last) : NEVER_RUN,
    Next: dotNetDateTimeOffset(status.next),
    LastUpdated: dotNetDateTimeOffset(status.lastUpdated),
  };
}

/** Parses a status blob's JSON; undefined when it is not a usable status. */
function parseScheduleStatus(text: string): ScheduleStatus | undefined {
  let raw: Partial<Record<keyof ScheduleStatusJson, unknown>>;
  try {
    raw = JSON.parse(text) as typeof raw;
  } catch {
    return undefined;
  }
  const date = (value: unknown): Date | undefined => {
    if (typeof value !== 'string') return undefined;
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? undefined : d;
  };
  const next = date(raw.Next);
  if (!next) return undefined;
  const last = date(raw.Last);
  const status: ScheduleStatus = { next, lastUpdated: date(raw.LastUpdated) ?? next };
  // default(DateTime) means "never ran".
  if (last && last.getUTCFullYear() > 1) status.last = last;
  return status;
}

/** Reads and writes timer schedule status blobs for one host id. */
export class ScheduleStatusStore {
  readonly #storage: HostStorageClients;
  readonly #connectionString: string;

  constructor(
    storage: HostStorageClients,
    connectionString: string,
    readonly hostId: string,
  ) {
    this.#storage = storage;
    this.#connectionString = connectionString;
  }

  /** The stored status, or undefined when there is none (or it is unreadable). */
  async get(functionName: string): Promise<ScheduleStatus | undefined> {
    const container = await this.#storage.container(this.#connectionString, HOSTS_CONTAINER);
    try {
      const body = await container.getBlockBlobClient(timerStatusBlobName(this.hostId, functionName)).downloadToBuffer();
      return parseScheduleStatus(body.toString('utf8'));
    } catch (err) {
      if ((err as RestError).statusCode === 404) return undefined;
      throw err;
    }
  }

  async set(functionName: string, status: ScheduleStatus): Promise<void> {
    const container = await this.#storage.container(this.#connectionString, HOSTS_CONTAINER);
    const body = Buffer.from(JSON.stringify(toScheduleStatusJson(status)), 'utf8');
    await container.getBlockBlobClient(timerStatusBlobName(this.hostId, functionName)).upload(body, body.length, {
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
  }
}
