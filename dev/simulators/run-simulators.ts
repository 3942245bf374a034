/**
 * Both simulators on fixed ports, for use beside `func start` (local.settings.sample.json points
 * GRAPH_ENDPOINT at the Graph simulator):
 *   npm run simulators [-- --scenario DIR --workdir DIR --telemessage-port 7072 --graph-port 7073 --capture-seconds N]
 * The TeleMessage scenario is rebased so its newest item is one hour old. Ctrl-C stops both.
 */
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { loadTeleMessageAccounts } from '../scenario/telemessage-accounts';
import { demoScenarioDir, repoRoot } from '../demo/paths';
import { ExitCode, onStopSignals, portOption, runCommand, wholeNumberOption, type OptionValues } from '../command-line';
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

const OPTIONS = {
  scenario: { type: 'string' },
  workdir: { type: 'string' },
  'telemessage-port': { type: 'string' },
  'graph-port': { type: 'string' },
  'capture-seconds': { type: 'string' },
} as const;

async function runSimulators(values: OptionValues<typeof OPTIONS>): Promise<number> {
  const ports = {
    teleMessage: portOption('telemessage-port', values['telemessage-port'], TELEMESSAGE_SIMULATOR_PORT),
    graph: portOption('graph-port', values['graph-port'], GRAPH_SIMULATOR_PORT),
  };
  const captureSeconds = wholeNumberOption('capture-seconds', values['capture-seconds'], 0, { max: 86_400 });
  const scenarioDir = path.resolve(values.scenario ?? demoScenarioDir());
  const dataDir = path.join(path.resolve(values.workdir ?? path.join(repoRoot(), '.work', 'simulators')), 'graph');
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
    onStopSignals(() => {
      live?.stop();
      Promise.all([teleMessage.stop(), graph.stop()]).then(
        () => resolve(ExitCode.ok),
        (error: unknown) => {
          process.stderr.write(`The simulators did not stop cleanly: ${(error as Error)?.message ?? String(error)}\n`);
          resolve(ExitCode.failed);
        },
      );
    });
  });
}

if (require.main === module) runCommand({ usage: USAGE, options: OPTIONS, run: runSimulators });
