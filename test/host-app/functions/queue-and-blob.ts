/**
 * Test function app for the host's storage triggers, registered through the real
 * `@azure/functions` API exactly as production functions are. Each invocation appends what the
 * function received to `<STORAGE_PROBE_RECORD_DIR>/<functionName>.jsonl`, for the end-to-end tests
 * to read; a queue message `{"fail": true}` or a blob named `fail…` makes the function throw.
 */
import { app, type InvocationContext } from '@azure/functions';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const STORAGE_PROBE_RECORD_DIR = 'STORAGE_PROBE_RECORD_DIR';

/** One line of a record file. */
export interface ProbeRecord {
  functionName: string;
  invocationId: string;
  /** The trigger input as the handler got it: JSON-parsed value, string, or (blobs) text of the Buffer. */
  input: unknown;
  inputKind: 'buffer' | 'string' | 'object' | 'other';
  triggerMetadata: Record<string, unknown>;
}

function record(context: InvocationContext, input: unknown): void {
  const dir = process.env[STORAGE_PROBE_RECORD_DIR];
  if (!dir) throw new Error(`${STORAGE_PROBE_RECORD_DIR} is not set`);
  const inputKind = Buffer.isBuffer(input) ? 'buffer' : typeof input === 'string' ? 'string' : typeof input === 'object' && input !== null ? 'object' : 'other';
  const line: ProbeRecord = {
    functionName: context.functionName,
    invocationId: context.invocationId,
    input: Buffer.isBuffer(input) ? input.toString('utf8') : input,
    inputKind,
    triggerMetadata: (context.triggerMetadata ?? {}) as Record<string, unknown>,
  };
  fs.appendFileSync(path.join(dir, `${context.functionName}.jsonl`), `${JSON.stringify(line)}\n`);
}

app.storageQueue('storageQueueProbe', {
  queueName: '%STORAGE_PROBE_QUEUE%',
  connection: 'AzureWebJobsStorage',
  handler: (message: unknown, context: InvocationContext): void => {
    record(context, message);
    if (typeof message === 'object' && message !== null && (message as { fail?: unknown }).fail === true) {
      throw new Error('storageQueueProbe was asked to fail');
    }
  },
});

app.storageBlob('storageBlobProbe', {
  path: 'probe-items/{name}',
  connection: 'AzureWebJobsStorage',
  source: 'LogsAndContainerScan',
  handler: (blob: unknown, context: InvocationContext): void => {
    record(context, blob);
    if (String(context.triggerMetadata?.name ?? '').startsWith('fail')) {
      throw new Error('storageBlobProbe was asked to fail');
    }
  },
});
