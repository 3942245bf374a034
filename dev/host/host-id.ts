import { createHash } from 'node:crypto';
import * as os from 'node:os';

/** The setting the real host reads to pin its id (`AzureFunctionsWebHost__hostid`). */
export const HOST_ID_SETTING = 'AzureFunctionsWebHost__hostid';

const MAX_HOST_ID_LENGTH = 32;

export class HostIdError extends Error {
  override readonly name = 'HostIdError';
}

/**
 * The id under which the host keeps its state in `azure-webjobs-hosts` (blob receipts, timer
 * status). Like a self-hosted Functions host it is stable for one machine and one app root, so a
 * restarted host finds what an earlier run left; a setting can pin it as in Azure.
 */
export function resolveHostId(options: { configured?: string; appRoot?: string } = {}): string {
  if (options.configured !== undefined && options.configured !== '') {
    const id = options.configured.toLowerCase();
    if (!/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/.test(id)) {
      throw new HostIdError(
        `${HOST_ID_SETTING}: "${options.configured}" is not a valid host id (1-${MAX_HOST_ID_LENGTH} letters, digits or inner dashes)`,
      );
    }
    return id;
  }
  const appRoot = options.appRoot ?? process.cwd();
  const pathHash = createHash('sha256').update(appRoot).digest('hex').slice(0, 8);
  // Keep the path hash whole when truncating, so two app roots on one machine never share an id.
  const machine = sanitize(os.hostname()).slice(0, MAX_HOST_ID_LENGTH - pathHash.length - 1).replace(/-+$/, '');
  return `${machine === '' ? 'localhost' : machine}-${pathHash}`;
}

function sanitize(raw: string): string {
  return raw.toLowerCase().replace(/[^a-z0-9-]/g, '').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '');
}
