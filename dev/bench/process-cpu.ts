import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU time (user + system) a process has used so far, in seconds, from Linux's
 * `/proc/<pid>/stat` (fields 14 and 15, in clock ticks); undefined where there is no /proc or the
 * process is gone. For processes the bench does not run its own code in (Azurite), or whose
 * code it does not want to change (the simulator).
 */
export function cpuSecondsOf(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  return Number.isFinite(user) && Number.isFinite(system) ? (user + system) / clockTicks() : undefined;
}

let ticks: number | undefined;
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** This process's CPU time so far, in seconds. */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * CPU seconds each named process used between construction and {@link stop}: `self` (this
 * process) always, the others by pid. A process whose time cannot be read is left out.
 */
export class CpuMeter {
  readonly #pids: ReadonlyMap<string, number>;
  readonly #start = new Map<string, number>();

  constructor(pids: Readonly<Record<string, number | undefined>>) {
    this.#pids = new Map(Object.entries(pids).filter((e): e is [string, number] => e[1] !== undefined));
    this.#start.set('self', ownCpuSeconds());
    for (const [name, pid] of this.#pids) {
      const seconds = cpuSecondsOf(pid);
      if (seconds !== undefined) this.#start.set(name, seconds);
    }
  }

  stop(): Record<string, number> {
    const used: Record<string, number> = { self: ownCpuSeconds() - (this.#start.get('self') ?? 0) };
    for (const [name, pid] of this.#pids) {
      const start = this.#start.get(name);
      const end = cpuSecondsOf(pid);
      if (start !== undefined && end !== undefined) used[name] = end - start;
    }
    return used;
  }
}
