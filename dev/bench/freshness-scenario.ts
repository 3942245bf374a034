import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { itemCopies, type ExportedMailbox } from '../demo/graph-export';
import { LocalEnvironment } from '../demo/local-environment';
import { rebaseOffsetMs } from '../demo/demo-cycle';
import { demoScenarioDir } from '../demo/paths';
import { applyScenarioConnectors } from '../demo/scenario-connectors';
import { loadScenario } from '../scenario/scenario';
import { startLiveCapture } from '../simulators/telemessage';
import { AppSettings } from '../../shared/platform/settings/app-settings';
import { RUN_SCHEDULE } from '../start';

export interface FreshnessFigures {
  /** How long new messages were captured. */
  captureMinutes: number;
  captured: number;
  /** Captured items found in a mailbox by the end. */
  arrived: number;
  /** Capture (`archivedAt`) to the copy's creation in the mailbox, per copy, in seconds. */
  p50Seconds: number;
  p95Seconds: number;
  maxSeconds: number;
}

/**
 * The product as `npm start` runs it — local host, `scheduleFetch` every minute, a one-minute
 * settling margin, the simulated TeleMessage capturing a new SMS every `intervalSeconds` — with
 * the Graph simulator's Exchange-like latency: how long from capture until the copy is in the
 * mailbox.
 */
export async function runFreshnessScenario(options: { workDir: string; captureMinutes: number; intervalSeconds: number; progress: (m: string) => void }): Promise<FreshnessFigures> {
  const scenarioDir = demoScenarioDir();
  const scenario = await loadScenario(scenarioDir);
  const environment = await LocalEnvironment.start({ scenarioDir, graphDataDir: path.join(options.workDir, 'freshness-graph'), rebaseToNow: true, graphLatency: true });
  try {
    const setup = await applyScenarioConnectors({
      scenarioDir, connectors: scenario.connectors, baseUrl: environment.teleMessage.url,
      connectorStore: environment.stores.connectors, mappingFiles: environment.stores.mappingFiles,
      startFromOffsetMs: rebaseOffsetMs(scenario, environment.teleMessage),
    });
    options.progress('starting the local host (scheduleFetch every minute, ARCHIVER_SETTLING_MINUTES=1)');
    const host = await environment.startHost({ schedule: RUN_SCHEDULE, secrets: setup.secrets, settings: { [AppSettings.settlingMinutes]: '1' } });
    await host.fireFunction('scheduleFetch');
    const captures = new Map<string, number>();
    const live = startLiveCapture(environment.teleMessage, {
      intervalMs: options.intervalSeconds * 1000,
      product: 'att-network',
      onCapture: (item) => captures.set(item.id, Date.parse(item.archivedAt)),
    });
    options.progress(`capturing an SMS about every ${options.intervalSeconds} s for ${options.captureMinutes} minutes`);
    await sleep(options.captureMinutes * 60_000);
    live.stop();
    // A capture waits for the settling minute and the next tick, then its import: give it 4 minutes.
    const deadline = Date.now() + 4 * 60_000;
    let arrived = new Map<string, number>();
    for (;;) {
      arrived = arrivals(environment, scenario.directoryUsers.map((u) => u.userPrincipalName), captures);
      if (arrived.size >= captures.size || Date.now() > deadline) break;
      await sleep(2_000);
    }
    const ages = [...arrived.entries()].map(([id, created]) => (created - (captures.get(id) as number)) / 1000).sort((a, b) => a - b);
    return {
      captureMinutes: options.captureMinutes,
      captured: captures.size,
      arrived: new Set(arrived.keys()).size,
      p50Seconds: quantile(ages, 0.5),
      p95Seconds: quantile(ages, 0.95),
      maxSeconds: ages[ages.length - 1] ?? Number.NaN,
    };
  } finally {
    await environment.stop();
  }
}

/** For each captured item with a copy in a mailbox: when its first copy was created. */
function arrivals(environment: LocalEnvironment, upns: readonly string[], captures: ReadonlyMap<string, number>): Map<string, number> {
  const mailboxes: ExportedMailbox[] = [];
  for (const upn of upns) {
    const mailbox = environment.graph.mailbox(upn);
    if (mailbox !== undefined) mailboxes.push({ userPrincipalName: upn, file: '', mailbox });
  }
  const out = new Map<string, number>();
  for (const copy of itemCopies(mailboxes)) {
    if (!captures.has(copy.itemId)) continue;
    const created = Date.parse(String(copy.message.createdDateTime));
    out.set(copy.itemId, Math.min(out.get(copy.itemId) ?? Infinity, created));
  }
  return out;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}
