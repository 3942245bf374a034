import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { DirectoryUser } from '../../dev/scenario/directory-users';
import { GraphSimulator, type GraphLimits, type LatencyOptions, type SimulatorStatsSnapshot } from '../../dev/simulators/graph';

/**
 * The Graph simulator in a child process. In the test's own process the simulator shares one
 * event loop with the client, which serialises the requests so that they hardly overlap; in
 * its own process it receives them truly concurrently, as Graph does, so a client that sends
 * more than the mailbox limit at once is throttled.
 */
export class SimulatorProcess {
  private constructor(
    readonly url: string,
    readonly origin: string,
    readonly child: ChildProcess,
  ) {}

  static async start(options: { users: readonly DirectoryUser[]; dataDir: string; limits?: GraphLimits; latency?: boolean | LatencyOptions }): Promise<SimulatorProcess> {
    const child = spawn(process.execPath, [__filename, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const [line] = (await Promise.race([once(lines, 'line'), once(child, 'exit').then(() => { throw new Error('the simulator process exited'); })])) as [string];
    lines.close();
    const { url, origin } = JSON.parse(line) as { url: string; origin: string };
    return new SimulatorProcess(url, origin, child);
  }

  async stats(): Promise<SimulatorStatsSnapshot> {
    return (await (await fetch(`${this.origin}/_sim/stats`)).json()) as SimulatorStatsSnapshot;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] as string) as { users: DirectoryUser[]; dataDir: string; limits?: GraphLimits; latency?: boolean | LatencyOptions };
  const sim = await GraphSimulator.start(options);
  process.stdout.write(`${JSON.stringify({ url: sim.url, origin: sim.origin })}\n`);
  process.once('SIGTERM', () => {
    void sim.stop().then(() => process.exit(0));
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
