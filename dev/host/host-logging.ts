import type { HostJson, HostLogger } from './contracts';
import type { RpcLogLevel } from './core-api-types';

const LEVEL_RANK: Record<RpcLogLevel, number> = {
  trace: 0,
  debug: 1,
  information: 2,
  warning: 3,
  error: 4,
  critical: 5,
  none: 6,
};

/**
 * host.json `logging.logLevel` filtering, with the Functions categories: `Host.*` for the host,
 * `Function.<name>` for invocation lines and `Function.<name>.User` for the app's own logs. The
 * longest configured prefix of a category decides, then `default` (Information).
 */
export class LogLevelFilter {
  readonly #rules: [prefix: string, rank: number][];

  constructor(hostJson: HostJson) {
    const configured: Record<string, unknown> = hostJson.logging?.logLevel ?? {};
    this.#rules = Object.entries(configured)
      .map(([category, level]): [string, number] => [category, rankOf(level)])
      .sort((a, b) => b[0].length - a[0].length);
  }

  isEnabled(category: string, level: RpcLogLevel): boolean {
    if (level === 'none') return false;
    const rule = this.#rules.find(([prefix]) => prefix !== 'default' && (category === prefix || category.startsWith(`${prefix}.`)));
    const threshold = rule?.[1] ?? this.#rules.find(([prefix]) => prefix === 'default')?.[1] ?? LEVEL_RANK.information;
    return LEVEL_RANK[level] >= threshold;
  }
}

function rankOf(level: unknown): number {
  const key = String(level).toLowerCase();
  if (key === 'information' || key === 'info') return LEVEL_RANK.information;
  if (key in LEVEL_RANK) return LEVEL_RANK[key as RpcLogLevel];
  return LEVEL_RANK.information;
}

/** Writes one line to a {@link HostLogger} at the nearest of its three levels. */
export function writeLog(logger: HostLogger, level: RpcLogLevel, message: string): void {
  if (level === 'warning') logger.warn(message);
  else if (level === 'error' || level === 'critical') logger.error(message);
  else logger.info(message);
}

/** Core Tools' console format: `[<ISO time>] <message>`, errors and warnings on stderr. */
export class ConsoleHostLogger implements HostLogger {
  info(message: string): void {
    process.stdout.write(`${stamp(message)}\n`);
  }
  warn(message: string): void {
    process.stderr.write(`${stamp(message)}\n`);
  }
  error(message: string): void {
    process.stderr.write(`${stamp(message)}\n`);
  }
}

/** Keeps every line in memory (tests and tools that inspect the host's output). */
export class MemoryHostLogger implements HostLogger {
  readonly lines: { level: 'info' | 'warn' | 'error'; message: string }[] = [];

  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }
  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }
  error(message: string): void {
    this.lines.push({ level: 'error', message });
  }

  /** All messages joined by newlines, for `assert.match`. */
  get text(): string {
    return this.lines.map((l) => l.message).join('\n');
  }
}

function stamp(message: string): string {
  return `[${new Date().toISOString()}] ${message}`;
}
