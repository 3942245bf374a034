/**
 * The run command: the product on its embedded default, importing on schedule until Ctrl-C.
 *   npm start [-- --scenario DIR --workdir DIR --port 7071 --capture-seconds 20 --polling]
 * Azurite keeps its data in the work folder, the simulated TeleMessage keeps capturing new SMS,
 * and every import is printed with the mailbox it went to.
 */
import { AppSettings } from '../shared/platform/settings/app-settings';
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { loadScenario } from './scenario/scenario';
import { startLiveCapture, type LiveCapture } from './simulators/telemessage';
import { rebaseOffsetMs } from './demo/demo-cycle';
import { GRAPH_SIMULATOR_TOKEN, LocalEnvironment } from './demo/local-environment';
import { defaultRunWorkdir, demoScenarioDir, mailboxFile, workdirLayout } from './demo/paths';
import { applyScenarioConnectors } from './demo/scenario-connectors';
import type { HostProcess } from './host';
import { ExitCode, onStopSignals, portOption, runCommand, wholeNumberOption, type OptionValues } from './command-line';

/** Every minute, at second 0. */
export const RUN_SCHEDULE = '0 */1 * * * *';
const DEFAULT_PORT = 7071;
const DEFAULT_CAPTURE_SECONDS = 20;

const USAGE = `Usage: npm start [-- --scenario DIR] [--workdir DIR] [--port N] [--capture-seconds N] [--polling]

  --scenario DIR          scenario folder (default dev/scenarios/demo)
  --workdir DIR           Azurite's data and the Graph export (default .work/run); kept between runs
  --port N                the Functions host's HTTP port (default ${DEFAULT_PORT})
  --capture-seconds N     mean time between new SMS captured by the simulated TeleMessage (default ${DEFAULT_CAPTURE_SECONDS}; 0: none)
  --polling               the polling blob trigger (LogsAndContainerScan) instead of Event Grid, as on the Dedicated plan`;

const OPTIONS = {
  scenario: { type: 'string' },
  workdir: { type: 'string' },
  port: { type: 'string' },
  'capture-seconds': { type: 'string' },
  polling: { type: 'boolean' },
} as const;

interface StartArguments {
  scenarioDir: string;
  workdir: string;
  port: number;
  captureSeconds: number;
  polling: boolean;
}

function startArguments(values: OptionValues<typeof OPTIONS>): StartArguments {
  return {
    scenarioDir: path.resolve(values.scenario ?? demoScenarioDir()),
    workdir: path.resolve(values.workdir ?? defaultRunWorkdir()),
    port: portOption('port', values.port, DEFAULT_PORT),
    captureSeconds: wholeNumberOption('capture-seconds', values['capture-seconds'], DEFAULT_CAPTURE_SECONDS, { max: 86_400 }),
    polling: values.polling === true,
  };
}

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** The app's own log lines worth showing, as `importItem` and `fetchWindow` write them. */
const IMPORT_LINE = /Item (\S+) of connector (\S+): (imported|unmapped|quarantined|failed)\b/;
const FETCH_LINE = /Connector (\S+) window (\S+) to (\S+): fetched (\d+), stored (\d+)/;
/** The host's line after a failed invocation: `Exception: <message>`. */
const FAILURE_LINE = /^Exception: (.*)$/;

/**
 * Follows the host's output and prints, for each import, the mailboxes the item went to (read
 * from the `imports` table), each fetch window that stored something, and each failed invocation.
 */
function followHost(host: HostProcess, environment: LocalEnvironment): () => void {
  let seen = 0;
  let stopped = false;
  const describeImport = async (connectorId: string, itemId: string, status: string): Promise<void> => {
    const outcome = await environment.stores.imports.getOutcome(connectorId, itemId).catch(() => undefined);
    if (status === 'imported' && outcome !== undefined) {
      const copies = outcome.mailboxes.map((m) => `${m.userPrincipalName}${m.status === 'alreadyImported' ? ' (already there)' : ''}`);
      say(`  imported ${itemId} (${connectorId}) into ${copies.join(', ')}`);
    } else if (status === 'unmapped' && outcome !== undefined) {
      say(`  unmapped ${itemId} (${connectorId}): ${outcome.unmapped.map((u) => u.reason).join('; ')}`);
    } else {
      say(`  ${status} ${itemId} (${connectorId})${outcome?.error ? `: ${outcome.error}` : outcome?.reason ? `: ${outcome.reason}` : ''}`);
    }
  };
  const loop = async (): Promise<void> => {
    while (!stopped) {
      const lines = host.output.slice(seen);
      seen += lines.length;
      for (const line of lines) {
        const imported = IMPORT_LINE.exec(line);
        const fetched = FETCH_LINE.exec(line);
        const failed = FAILURE_LINE.exec(line);
        if (imported) await describeImport(imported[2]!, imported[1]!, imported[3]!);
        else if (fetched && fetched[5] !== '0') say(`  fetched ${fetched[1]} ${fetched[2]} to ${fetched[3]}: ${fetched[4]} item(s), ${fetched[5]} new`);
        else if (failed) say(`  failed: ${failed[1]}`);
      }
      await delay(250);
    }
  };
  void loop();
  return () => {
    stopped = true;
  };
}

async function runStart(values: OptionValues<typeof OPTIONS>): Promise<number> {
  const args = startArguments(values);
  const scenario = await loadScenario(args.scenarioDir);
  const layout = workdirLayout(args.workdir);
  await mkdir(layout.azurite, { recursive: true });
  await mkdir(layout.graph, { recursive: true });

  say(`Scenario: ${args.scenarioDir}`);
  say(`Work folder: ${layout.root}`);
  say('Starting Azurite and the TeleMessage and Graph simulators…');
  const environment = await LocalEnvironment.start({ scenarioDir: args.scenarioDir, azuriteLocation: layout.azurite, graphDataDir: layout.graph, rebaseToNow: true, blobTriggerSource: args.polling ? 'LogsAndContainerScan' : 'EventGrid' });
  let live: LiveCapture | undefined;
  let unfollow: (() => void) | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (signal: NodeJS.Signals | undefined): Promise<void> => {
    stopping ??= (async () => {
      say(signal === undefined ? 'Stopping…' : `\n${signal} received: stopping the host, the simulators and Azurite (again to exit at once)…`);
      live?.stop();
      unfollow?.();
      await environment.stop({ interrupted: signal === 'SIGINT' });
    })();
    return stopping;
  };

  let finished: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => {
    finished = resolve;
  });
  onStopSignals((signal) => {
    stop(signal).then(
      () => finished(ExitCode.ok),
      (error: unknown) => {
        process.stderr.write(`${(error as Error)?.message ?? String(error)}\n`);
        finished(ExitCode.failed);
      },
    );
  });

  try {
    const setup = await applyScenarioConnectors({
      scenarioDir: args.scenarioDir,
      connectors: scenario.connectors,
      baseUrl: environment.teleMessage.url,
      connectorStore: environment.stores.connectors,
      mappingFiles: environment.stores.mappingFiles,
      startFromOffsetMs: rebaseOffsetMs(scenario, environment.teleMessage),
    });
    for (const c of setup.connectors) {
      say(`Connector ${c.id} (${c.product}): ${c.action}, ${c.action === 'created' ? 'starting at' : 'everything archived before'} ${c.checkpoint}${c.action === 'created' ? '' : ' is stored'}`);
    }

    say(`Starting the Functions host on port ${args.port}…`);
    // Windows end a minute before now (not five), so captured messages show up within a couple of minutes.
    const host = await environment.startHost({
      port: args.port, schedule: RUN_SCHEDULE, secrets: setup.secrets, settings: { [AppSettings.settlingMinutes]: '1' },
    });
    unfollow = followHost(host, environment);

    say('');
    say(`Functions host:          ${host.baseUrl} (scheduleFetch every minute)`);
    say(`Admin page:              ${host.baseUrl}/admin (local sign-in: pick a user and roles)`);
    say(
      environment.blobTriggerSource === 'EventGrid'
        ? `Blob triggers:           Event Grid (local), to ${host.baseUrl}/runtime/webhooks/blobs, as on Flex Consumption (--polling to poll instead)`
        : 'Blob triggers:           polling the containers (LogsAndContainerScan), as on the Dedicated plan',
    );
    say(`TeleMessage simulator:   ${environment.teleMessage.url}`);
    say(`Graph simulator:         ${environment.graph.url}`);
    say(`Storage (Azurite):       ${layout.azurite}`);
    // Azurite's well-known development key: public by design, not a secret.
    say('Admin commands beside it (another terminal):');
    say(`  export AzureWebJobsStorage='${environment.azurite.connectionString}'`);
    say(`  export GRAPH_ENDPOINT='${environment.graph.url}' GRAPH_DEV_TOKEN=${GRAPH_SIMULATOR_TOKEN}`);
    say('  npm run connectors -- list; npm run items -- unmapped --connector contoso-att');
    say('Mailboxes are written to:');
    for (const user of scenario.directoryUsers.filter((u) => u.hasMailbox && u.accountEnabled)) say(`  ${mailboxFile(layout.graph, user.userPrincipalName)}`);
    if (args.captureSeconds > 0) {
      say(
        `The simulated TeleMessage captures a new SMS about every ${args.captureSeconds} s; the connector leaves TeleMessage ` +
          'a minute to settle (ARCHIVER_SETTLING_MINUTES=1), so each one is imported a minute or two after it was captured.',
      );
    }
    say('Press Ctrl-C to stop.\n');

    // The first run at start, like runOnStartup; later runs follow the schedule.
    await host.fireFunction('scheduleFetch');
    if (args.captureSeconds > 0) {
      live = startLiveCapture(environment.teleMessage, {
        intervalMs: args.captureSeconds * 1000,
        product: 'att-network',
        onCapture: (item) => say(`  captured ${item.id} in TeleMessage (${item.kind}, archived ${item.archivedAt})`),
      });
    }
  } catch (error) {
    if (stopping) return done;
    process.stderr.write(`The run command could not start: ${(error as Error)?.message ?? String(error)}\n`);
    await stop(undefined).catch(() => undefined);
    return ExitCode.failed;
  }
  return done;
}

if (require.main === module) runCommand({ usage: USAGE, options: OPTIONS, run: runStart });
