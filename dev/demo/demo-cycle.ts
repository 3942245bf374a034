import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseInstant } from '../scenario/rfc3339';
import { findScenarioInconsistencies, loadScenario, type Scenario } from '../scenario/scenario';
import { TELEMESSAGE_PRODUCTS } from '../scenario/telemessage-item';
import type { TeleMessageSimulator } from '../simulators/telemessage';
import type { AzuriteStorage } from '../azurite';
import { deliverEmlExports } from './eml-delivery';
import { LocalEnvironment, type BlobTriggerSourceName } from './local-environment';
import { mailboxFile, workdirLayout } from './paths';
import { buildCycleReport, type CycleReport } from './report';
import { applyScenarioConnectors, type AppliedScenarioConnector } from './scenario-connectors';

export interface DemoCycleOptions {
  scenarioDir: string;
  /** How importItem gets its blobs; default EventGrid (the local Event Grid), as on Flex Consumption. */
  blobTriggerSource?: BlobTriggerSourceName;
  /** Azurite's data (`azurite/`), the Graph simulator's export (`graph/`) and `report.json` go here; a later run continues from them. */
  workdir: string;
  /** A back-fill start for connectors created by this run, in place of their `startFrom`. */
  startFrom?: string;
  /** How long the pipeline may take to drain. Default 5 minutes. */
  drainTimeoutMs?: number;
  /** Progress, one line at a time. */
  log?: (line: string) => void;
  /** Copy the host's output to this process's console. */
  echoHost?: boolean;
  signal?: AbortSignal;
  /** The function app the host runs (host.json, package.json `main`): default the project itself; `.work/package` runs the deployment package. */
  appRoot?: string;
  /**
   * Storage someone else started (a test's account on the run's Azurite), stopped with the
   * cycle; the work folder then keeps no Azurite data and a later run does not continue. Default:
   * an Azurite of the cycle's own, its data in the work folder.
   */
  azurite?: AzuriteStorage;
}

export interface DemoCycleResult {
  report: CycleReport;
  reportFile: string;
  /** The Graph simulator's data folder: `mailboxes/<upn>/mailbox.json` and the attachment files. */
  graphDir: string;
  /** The mailbox files of the scenario's users that hold anything, by user principal name. */
  mailboxFiles: { userPrincipalName: string; file: string }[];
  connectors: AppliedScenarioConnector[];
  /** When the cycle's timer fired: its windows are the runs queued from then on. */
  cycleStartedAt: Date;
  /** Cross-file problems of the scenario (missing or mismatched attachment files…); the run goes on. */
  scenarioWarnings: string[];
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 5 * 60_000;
/**
 * The host's drained answer reads storage as it is (queue lengths, blobs against receipts) and is
 * false if an invocation started while it looked, so its first true answer counts.
 */
const DRAIN_SETTLE_MS = 0;

/**
 * One complete cycle of the product on a scenario: Azurite (data kept in the work folder), the
 * TeleMessage simulator rebased to now, the Graph simulator writing into the work folder, the
 * scenario's connectors created or brought up to date, the host started, `scheduleFetch` fired
 * once and the pipeline drained; then `report.json` is written and everything is stopped.
 */
export async function runDemoCycle(options: DemoCycleOptions): Promise<DemoCycleResult> {
  const log = options.log ?? (() => undefined);
  const scenarioDir = path.resolve(options.scenarioDir);
  const scenario = await loadScenario(scenarioDir);
  const scenarioWarnings = await findScenarioInconsistencies(scenario);
  for (const warning of scenarioWarnings) log(`Scenario warning: ${warning}`);

  const layout = workdirLayout(options.workdir);
  if (options.azurite === undefined) await mkdir(layout.azurite, { recursive: true });
  await mkdir(layout.graph, { recursive: true });

  log('Starting Azurite and the TeleMessage and Graph simulators…');
  const environment = await LocalEnvironment.start({
    scenarioDir,
    ...(options.blobTriggerSource === undefined ? {} : { blobTriggerSource: options.blobTriggerSource }),
    ...(options.azurite === undefined ? { azuriteLocation: layout.azurite } : { azurite: options.azurite }),
    graphDataDir: layout.graph,
    rebaseToNow: true,
    ...(options.appRoot === undefined ? {} : { appRoot: path.resolve(options.appRoot) }),
  });
  try {
    options.signal?.throwIfAborted();
    const setup = await applyScenarioConnectors({
      scenarioDir,
      connectors: scenario.connectors,
      baseUrl: environment.teleMessage.url,
      connectorStore: environment.stores.connectors,
      mappingFiles: environment.stores.mappingFiles,
      startFromOffsetMs: rebaseOffsetMs(scenario, environment.teleMessage),
      ...(options.startFrom === undefined ? {} : { startFromOverride: options.startFrom }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for (const c of setup.connectors) {
      const mapping = c.mappingVersion === undefined ? '' : `, mapping file ${c.mappingVersion}${c.mappingApplied ? ' applied' : ''}`;
      log(`Connector ${c.id} (${c.product}): ${c.action}${c.action === 'created' ? `, starting at ${c.checkpoint}` : ''}${mapping}`);
    }

    log('Starting the Functions host…');
    // A starting host imports queued replays at once, before the timer is fired.
    const hostStartingAt = new Date();
    const host = await environment.startHost({ secrets: setup.secrets, ...(options.echoHost ? { echo: true } : {}) });
    options.signal?.throwIfAborted();
    const cycleStartedAt = new Date();
    log(`Firing scheduleFetch and waiting for the pipeline to drain…`);
    await host.fireFunction('scheduleFetch');
    // Connectors on the EML transport get TeleMessage's export ZIP instead, as SFTP delivers it.
    for (const delivery of await deliverEmlExports({
      connectors: await environment.stores.connectors.list(),
      teleMessage: environment.teleMessage,
      scenarioDir,
      blobs: environment.stores.storage.blobs,
    })) {
      log(`Delivered ${delivery.messages} message(s) of connector ${delivery.connectorId} as ${delivery.blobName}`);
    }
    await environment.waitForDrained({
      timeoutMs: options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS,
      settleMs: DRAIN_SETTLE_MS,
      ...(options.signal ? { signal: options.signal } : {}),
    });

    const report = await buildCycleReport({
      connectors: scenario.connectors.map((c) => ({ id: c.id, product: c.product })),
      runs: environment.stores.runs,
      imports: environment.stores.imports,
      since: cycleStartedAt,
      processedSince: hostStartingAt,
    });
    await writeJsonAtomically(layout.report, report);
    await environment.stop();

    const mailboxFiles = scenario.directoryUsers
      .filter((u) => u.hasMailbox)
      .map((u) => ({ userPrincipalName: u.userPrincipalName, file: mailboxFile(layout.graph, u.userPrincipalName) }))
      .filter((m) => existsSync(m.file));
    return { report, reportFile: layout.report, graphDir: layout.graph, mailboxFiles, connectors: setup.connectors, cycleStartedAt, scenarioWarnings };
  } finally {
    await environment.stop({ interrupted: options.signal?.aborted === true });
  }
}

/**
 * How far the simulator moved the scenario's timestamps: the newest `archivedAt` as served minus
 * the newest in the files (0 without items).
 */
export function rebaseOffsetMs(scenario: Scenario, simulator: TeleMessageSimulator): number {
  const newest = (instants: string[]): number =>
    instants.reduce((latest, t) => Math.max(latest, parseInstant(t) ?? Number.NEGATIVE_INFINITY), Number.NEGATIVE_INFINITY);
  const original = newest(TELEMESSAGE_PRODUCTS.flatMap((p) => scenario.items[p].map((l) => l.item.archivedAt)));
  const served = newest(TELEMESSAGE_PRODUCTS.flatMap((p) => simulator.items(p).map((i) => i.archivedAt)));
  return Number.isFinite(original) && Number.isFinite(served) ? served - original : 0;
}

async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`, 'utf8');
  await rename(temporary, file);
}
