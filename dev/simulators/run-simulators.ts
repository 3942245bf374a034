/**
 * Both simulators on fixed ports, for use beside `func start` (local.settings.sample.json points
 * GRAPH_ENDPOINT at the Graph simulator):
 *   npm run simulators [-- --scenario DIR --workdir DIR --telemessage-port 7072 --graph-port 7073 --capture-seconds N]
 * The TeleMessage scenario is rebased so its newest item is one hour old. Ctrl-C stops both.
 */
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadTeleMessageAccounts } from '../scenario/telemessage-accounts';
import { demoScenarioDir, repoRoot } from '../demo/paths';
import { GraphSimulator } from './graph';
import { startLiveCapture, TeleMessageSimulator, type LiveCapture } from './telemessage';

export const TELEMESSAGE_SIMULATOR_PORT = 7072;
export const GRAPH_SIMULATOR_PORT = 7073;

const USAGE = `Usage: npm run simulators [-- --scenario DIR] [--workdir DIR] [--telemessage-port N] [--graph-port N] [--capture-seconds N]

  --scenario DIR          scenario folder (default dev/scenarios/demo)
  --workdir DIR           the Graph simulator's data: mailboxes/<upn>/mailbox.json (default .work/simulators)
  --telemessage-port N    default ${TELEMESSAGE_SIMULATOR_PORT}
  --graph-port N          default ${GRAPH_SIMULATOR_PORT}
  --capture-seconds N     capture a new SMS in TeleMessage about every N seconds (default 0: none)`;

function port(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new Error(`--${name} must be a port number, got "${value}"`);
  return Number(value);
}

async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string' },
        workdir: { type: 'string' },
        'telemessage-port': { type: 'string' },
        'graph-port': { type: 'string' },
        'capture-seconds': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const text = (name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  let ports: { teleMessage: number; graph: number };
  let captureSeconds = 0;
  try {
    ports = { teleMessage: port('telemessage-port', text('telemessage-port'), TELEMESSAGE_SIMULATOR_PORT), graph: port('graph-port', text('graph-port'), GRAPH_SIMULATOR_PORT) };
    const capture = text('capture-seconds');
    if (capture !== undefined) {
      if (!/^\d+$/.test(capture)) throw new Error(`--capture-seconds must be a whole number, got "${capture}"`);
      captureSeconds = Number(capture);
    }
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const scenarioDir = path.resolve(text('scenario') ?? demoScenarioDir());
  const dataDir = path.join(path.resolve(text('workdir') ?? path.join(repoRoot(), '.work', 'simulators')), 'graph');
  await mkdir(dataDir, { recursive: true });

  const teleMessage = await TeleMessageSimulator.start({ scenarioDir, port: ports.teleMessage, rebaseToNow: true });
  let graph: GraphSimulator;
  try {
    graph = await GraphSimulator.start({ scenarioDir, dataDir, port: ports.graph });
  } catch (error) {
    await teleMessage.stop();
    throw error;
  }
  const live: LiveCapture | undefined =
    captureSeconds > 0
      ? startLiveCapture(teleMessage, {
          intervalMs: captureSeconds * 1000,
          product: 'att-network',
          onCapture: (item) => process.stdout.write(`captured ${item.id} (archived ${item.archivedAt})\n`),
        })
      : undefined;

  const accounts = await loadTeleMessageAccounts(scenarioDir);
  process.stdout.write(
    [
      `TeleMessage simulator: ${teleMessage.url}  (accounts: ${accounts.map((a) => a.username).join(', ')}; passwords in ${path.join(scenarioDir, 'telemessage', 'accounts.json')})`,
      `Graph simulator:       ${graph.url}  (any bearer token; set GRAPH_DEV_TOKEN)`,
      `Mailboxes are written to ${path.join(dataDir, 'mailboxes')}/<userPrincipalName>/mailbox.json`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (): void => {
      if (stopping) process.exit(130);
      stopping = true;
      live?.stop();
      Promise.all([teleMessage.stop(), graph.stop()]).then(
        () => resolve(0),
        (error: unknown) => {
          process.stderr.write(`The simulators did not stop cleanly: ${(error as Error)?.message ?? String(error)}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
