import type { RestError } from '@azure/storage-queue';
import type { BindingInfo } from './contracts';
import type { RpcTypedData } from './core-api-types';
import { resolveBindingExpressions, type BindingData } from './binding-data';
import { HostStartupError } from './errors';
import type { HostStorageClients } from './host-storage-clients';

/** Output binding types the host writes itself; `http` goes back to the HTTP listener. */
const SUPPORTED_OUTPUT_TYPES: readonly string[] = ['queue', 'blob', 'http'];

export interface OutputBindingWriterOptions {
  storage: HostStorageClients;
  /** Connection setting name → connection string (default setting when omitted). */
  connectionString(connectionSetting?: string): string;
  /** `%Name%` resolution against app settings. */
  resolveSettings(value: string, usage: string): string;
  /** host.json `extensions.queues.messageEncoding`; the queue binding's default is base64. */
  messageEncoding: 'base64' | 'none';
}

const QUEUE_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;
const CONTAINER_NAME = QUEUE_NAME;

/** Writes the `queue` and `blob` output bindings a function returned, like the storage extension. */
export class OutputBindingWriter {
  readonly #options: OutputBindingWriterOptions;

  constructor(options: OutputBindingWriterOptions) {
    this.#options = options;
  }

  /** Start-up check of one output binding: supported type, settings present, static names valid. */
  validate(functionName: string, bindingName: string, binding: BindingInfo): void {
    const type = binding.type.toLowerCase();
    const usage = `Output binding '${bindingName}' of function '${functionName}'`;
    if (!SUPPORTED_OUTPUT_TYPES.includes(type)) {
      throw new HostStartupError(`${usage} has type '${binding.type}', which this host does not support (supported: ${SUPPORTED_OUTPUT_TYPES.join(', ')}).`, {
        functionName,
      });
    }
    if (type === 'http') return;
    try {
      this.#options.connectionString(connectionOf(binding));
    } catch (err) {
      throw new HostStartupError(`${usage}: ${(err as Error).message}`, { functionName, cause: err });
    }
    if (type === 'queue') {
      const queueName = this.#option(binding, 'queueName', usage);
      if (!queueName.includes('{')) checkName(queueName, QUEUE_NAME, `${usage}: queueName`);
    } else {
      const target = this.#option(binding, 'path', usage);
      if (!target.includes('{')) splitBlobPath(target, usage);
    }
  }

  /** Writes one output value; `http` outputs are left to the caller. */
  async write(functionName: string, bindingName: string, binding: BindingInfo, data: RpcTypedData, bindingData: BindingData): Promise<void> {
    const type = binding.type.toLowerCase();
    const usage = `Output binding '${bindingName}' of function '${functionName}'`;
    const connection = this.#options.connectionString(connectionOf(binding));
    if (type === 'queue') {
      const queueName = resolveBindingExpressions(this.#option(binding, 'queueName', usage), bindingData, `${usage}: queueName`);
      checkName(queueName, QUEUE_NAME, `${usage}: queueName`);
      for (const message of queueMessages(data)) await this.#send(connection, queueName, message);
    } else if (type === 'blob') {
      const target = resolveBindingExpressions(this.#option(binding, 'path', usage), bindingData, `${usage}: path`);
      const { container, blob } = splitBlobPath(target, usage);
      const body = blobContent(data);
      const client = await this.#options.storage.container(connection, container);
      await client.getBlockBlobClient(blob).upload(body, body.length);
    }
  }

  async #send(connection: string, queueName: string, message: Buffer): Promise<void> {
    const text = this.#options.messageEncoding === 'base64' ? message.toString('base64') : message.toString('utf8');
    const queue = await this.#options.storage.queue(connection, queueName);
    try {
      await queue.sendMessage(text);
    } catch (err) {
      // The queue may have been deleted since this host created it.
      if ((err as RestError).statusCode !== 404) throw err;
      await queue.createIfNotExists();
      await queue.sendMessage(text);
    }
  }

  #option(binding: BindingInfo, field: 'queueName' | 'path', usage: string): string {
    const value = binding[field];
    if (typeof value !== 'string' || value.trim() === '') throw new HostStartupError(`${usage} has no '${field}'.`);
    return this.#options.resolveSettings(value.trim(), `${usage}: ${field} '${value}'`);
  }
}

function connectionOf(binding: BindingInfo): string | undefined {
  return typeof binding['connection'] === 'string' && binding['connection'] !== '' ? binding['connection'] : undefined;
}

function checkName(name: string, rule: RegExp, usage: string): void {
  if (!rule.test(name)) {
    throw new HostStartupError(`${usage} '${name}' is not a valid name: use 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.`);
  }
}

function splitBlobPath(target: string, usage: string): { container: string; blob: string } {
  const slash = target.indexOf('/');
  const container = slash < 0 ? target : target.slice(0, slash);
  const blob = slash < 0 ? '' : target.slice(slash + 1);
  if (blob === '') throw new HostStartupError(`${usage}: path '${target}' must be '<container>/<blob name>'.`);
  checkName(container, CONTAINER_NAME, `${usage}: container`);
  return { container, blob };
}

/**
 * The messages one queue output value stands for: an array is one message per element (strings
 * as they are, anything else as JSON), like the storage extension's collector.
 */
function queueMessages(data: RpcTypedData): Buffer[] {
  if (data.bytes) return [Buffer.from(data.bytes)];
  if (typeof data.string === 'string') return [Buffer.from(data.string, 'utf8')];
  if (typeof data.int === 'number') return [Buffer.from(String(data.int))];
  if (typeof data.double === 'number') return [Buffer.from(String(data.double))];
  if (data.collectionString?.string) return data.collectionString.string.map((s) => Buffer.from(s, 'utf8'));
  if (data.collectionBytes?.bytes) return data.collectionBytes.bytes.map((b) => Buffer.from(b));
  if (typeof data.json === 'string') {
    const value: unknown = JSON.parse(data.json);
    const items = Array.isArray(value) ? value : [value];
    return items.map((item) => Buffer.from(typeof item === 'string' ? item : JSON.stringify(item), 'utf8'));
  }
  return [];
}

function blobContent(data: RpcTypedData): Buffer {
  if (data.bytes) return Buffer.from(data.bytes);
  if (typeof data.string === 'string') return Buffer.from(data.string, 'utf8');
  if (typeof data.json === 'string') return Buffer.from(data.json, 'utf8');
  if (typeof data.int === 'number') return Buffer.from(String(data.int));
  if (typeof data.double === 'number') return Buffer.from(String(data.double));
  return Buffer.alloc(0);
}
