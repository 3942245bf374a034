import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError } from './configuration-error';
import { describeJsonSyntaxError } from './json-syntax-error';

/** What the product reads from the function app's host.json. */
export interface HostSettings {
  /** `extensions.queues.maxDequeueCount`: deliveries of a queue message before it goes to `<queue>-poison`. */
  maxDequeueCount: number;
}

/** The storage extension's default when host.json names none. */
export const DEFAULT_MAX_DEQUEUE_COUNT = 5;

/**
 * The function app's root, where host.json is. The Functions host starts the Node worker in it
 * (and the worker changes to it on specialisation); Core Tools also sets AzureWebJobsScriptRoot.
 */
export function functionAppRoot(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.AzureWebJobsScriptRoot?.trim() || process.cwd();
}

/**
 * Reads host.json once, at start-up. A missing file gives the host's defaults (the host itself
 * refuses to start without one, so this happens only outside a host); a malformed value stops
 * the app, naming the file and the field.
 */
export function loadHostSettings(appRoot: string = functionAppRoot()): HostSettings {
  const file = join(appRoot, 'host.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { maxDequeueCount: DEFAULT_MAX_DEQUEUE_COUNT };
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError([{ setting: file, message: describeJsonSyntaxError(text, error) }]);
  }
  const value = member(member(member(parsed, 'extensions'), 'queues'), 'maxDequeueCount');
  if (value === undefined) return { maxDequeueCount: DEFAULT_MAX_DEQUEUE_COUNT };
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConfigurationError([{ setting: `${file} extensions.queues.maxDequeueCount`, message: `must be a whole number of at least 1, got ${JSON.stringify(value)}` }]);
  }
  return { maxDequeueCount: value };
}

function member(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined;
}
