import { appendFile, mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { isJsonObject, type JsonObject, type JsonValue } from './json-value';

/** One line of `requests.ndjson`. Never holds an Authorization header, an upload token or attachment bytes. */
export interface RequestLogEntry {
  time: string;
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** The mailbox the request counted against, by userPrincipalName. */
  mailbox?: string;
  /** For a request inside `$batch`: the batch's own request id and this request's id within it. */
  batch?: { requestId: string; id: string };
  /** The injected fault that answered, or `reset` when the connection was dropped. */
  fault?: string;
  /** The limit that answered 429. */
  throttled?: string;
  /** The request body, attachment bytes replaced by their length. */
  body?: JsonValue;
}

/** Query parameters that authenticate a request; their values never reach the log. */
const SECRET_QUERY_PARAMETERS = new Set(['authtoken']);

export class RequestLog {
  readonly file: string;
  #tail: Promise<void> = Promise.resolve();
  #ready: Promise<void> | undefined;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'requests.ndjson');
  }

  /** Appends an entry; entries are written in call order, and the promise resolves once this one is on disk. */
  append(entry: RequestLogEntry): Promise<void> {
    this.#ready ??= mkdir(path.dirname(this.file), { recursive: true }).then(() => undefined);
    const line = `${JSON.stringify(entry)}\n`;
    const write = this.#tail.then(() => this.#ready).then(() => appendFile(this.file, line));
    this.#tail = write.catch(() => undefined);
    return write;
  }

  async flush(): Promise<void> {
    await this.#tail;
  }
}

export function loggableQuery(query: URLSearchParams): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of query) if (!SECRET_QUERY_PARAMETERS.has(key.toLowerCase())) result[key] = value;
  return result;
}

/**
 * A request body fit for the log: every `contentBytes` becomes `{ "omittedBytes": <decoded length> }`
 * and header maps (inside `$batch`) lose any Authorization member.
 */
export function loggableBody(body: JsonValue): JsonValue {
  if (Array.isArray(body)) return body.map(loggableBody);
  if (!isJsonObject(body)) return body;
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(body)) {
    if (key.toLowerCase() === 'authorization') continue;
    result[key] =
      key === 'contentBytes' && typeof value === 'string'
        ? { omittedBytes: Buffer.byteLength(value, 'base64') }
        : loggableBody(value);
  }
  return result;
}
