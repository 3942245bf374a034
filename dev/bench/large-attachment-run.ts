import { fork } from 'node:child_process';
import * as path from 'node:path';
import type { LargeAttachmentCommand, LargeAttachmentReply } from './large-attachment-ipc';

export class LargeAttachmentRunError extends Error {
  override readonly name = 'LargeAttachmentRunError';
}

/** Runs `large-attachment-process.js` once and returns what it measured. */
export async function runLargeAttachmentImport(
  command: Omit<LargeAttachmentCommand, 'type'>,
  options: { timeoutMs: number },
): Promise<Extract<LargeAttachmentReply, { type: 'result' }>> {
  const child = fork(path.join(__dirname, 'large-attachment-process.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: ['--expose-gc'],
  });
  try {
    const reply = await new Promise<LargeAttachmentReply>((resolve, reject) => {
      const timer = setTimeout(() => reject(new LargeAttachmentRunError(`The large-attachment import did not finish within ${options.timeoutMs} ms`)), options.timeoutMs);
      child.once('message', (message: LargeAttachmentReply) => {
        clearTimeout(timer);
        resolve(message);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new LargeAttachmentRunError(`The large-attachment process exited (${signal ?? `code ${code}`}) without a result`));
      });
      child.send({ type: 'run', ...command } satisfies LargeAttachmentCommand);
    });
    if (reply.type === 'error') throw new LargeAttachmentRunError(`Large-attachment import: ${reply.message}`);
    return reply;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
