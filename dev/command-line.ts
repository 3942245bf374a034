/**
 * What every development command (demo, start, simulators, the local host) does the same way:
 * options on node:util's parseArgs with --help, usage on a bad argument, exit codes, and
 * SIGINT/SIGTERM (the first stops cleanly, a second exits at once).
 */
import { parseArgs } from 'node:util';

/** Exit codes of the development commands. */
export const ExitCode = {
  ok: 0,
  failed: 1,
  /** A bad argument; the usage was printed. */
  usage: 2,
  /** 128 + SIGINT, as a shell reports Ctrl-C: a second signal did not wait for the clean stop. */
  interrupted: 130,
} as const;

/** A bad argument found after parsing (a number out of range, an instant in the future, …). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
}

/** Parsed values: strings for string options, booleans for boolean ones, absent when not given. */
export type OptionValues<O extends Record<string, OptionSpec>> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};

export interface Command<O extends Record<string, OptionSpec>> {
  /** Printed for --help (to stdout) and after a bad argument (to stderr). */
  usage: string;
  /** --help/-h is added. No positionals are taken. */
  options: O;
  /** The command itself; a UsageError it throws prints the usage and exits 2. */
  run(values: OptionValues<O>): Promise<number>;
}

/** Parses `argv`, prints usage or runs the command; resolves with the exit code. */
export async function executeCommand<O extends Record<string, OptionSpec>>(command: Command<O>, argv: readonly string[]): Promise<number> {
  const usageError = (message: string): number => {
    process.stderr.write(`${message}\n\n${command.usage}\n`);
    return ExitCode.usage;
  };
  let values: OptionValues<O> & { help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }) as { values: OptionValues<O> & { help?: boolean } });
  } catch (error) {
    return usageError((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${command.usage}\n`);
    return ExitCode.ok;
  }
  try {
    return await command.run(values);
  } catch (error) {
    if (error instanceof UsageError) return usageError(error.message);
    throw error;
  }
}

/**
 * Runs the command as this process's main module and exits with its code; an unexpected error
 * prints its stack and exits 1.
 */
export function runCommand<O extends Record<string, OptionSpec>>(command: Command<O>, argv: readonly string[] = process.argv.slice(2)): void {
  executeCommand(command, argv).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(ExitCode.failed);
    },
  );
}

/** A whole number option from `min` to `max`; `fallback` when absent. */
export function wholeNumberOption(name: string, value: string | undefined, fallback: number, range: { min?: number; max: number }): number {
  if (value === undefined) return fallback;
  const min = range.min ?? 0;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > range.max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${range.max}, got "${value}"`);
  }
  return Number(value);
}

/** A TCP port option (0: a free port); `fallback` when absent. */
export function portOption(name: string, value: string | undefined, fallback: number): number {
  return wholeNumberOption(name, value, fallback, { max: 65_535 });
}

/**
 * SIGINT and SIGTERM: the first calls `onStop` (which stops cleanly and lets the command end),
 * a second exits at once with {@link ExitCode.interrupted}. Returns a function removing both.
 */
export function onStopSignals(onStop: (signal: NodeJS.Signals) => void): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting without waiting.\n`);
      process.exit(ExitCode.interrupted);
    }
    stopping = true;
    onStop(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
