/**
 * The demo command: one complete cycle of the product on a scenario, then a report.
 *   npm run demo -- [--scenario DIR] [--workdir DIR] [--start-from INSTANT] [--timeout-seconds N] [--app-root DIR] [--verbose]
 * `--app-root DIR` runs another build of the function app, e.g. the deployment package (.work/package).
 * `--polling` feeds importItem with the polling blob trigger instead of Event Grid.
 * Defaults: the bundled scenario dev/scenarios/demo and the work folder .work/demo. A second run
 * on the same work folder continues from the first one's storage and mailboxes.
 */
import * as path from 'node:path';
import { DEFAULT_DRAIN_TIMEOUT_MS, runDemoCycle, type DemoCycleResult } from './demo/demo-cycle';
import { defaultDemoWorkdir, demoScenarioDir } from './demo/paths';
import { reportTotals } from './demo/report';
import { parseInstant } from '../shared/admin/connector-settings';
import { DrainTimeoutError, HostProcessError } from './host';
import { ExitCode, onStopSignals, runCommand, UsageError, wholeNumberOption, type OptionValues } from './command-line';

const USAGE = `Usage: npm run demo -- [--scenario DIR] [--workdir DIR] [--start-from INSTANT] [--timeout-seconds N] [--app-root DIR] [--verbose]

  --scenario DIR         scenario folder (default dev/scenarios/demo)
  --workdir DIR          where Azurite's data, the Graph export (graph/) and report.json go (default .work/demo)
  --start-from INSTANT   back-fill start for connectors created by this run, e.g. 2026-03-01T00:00:00Z
                         (default: each connector's startFrom, else 24 hours before it is created)
  --timeout-seconds N    how long the pipeline may take to drain (default ${DEFAULT_DRAIN_TIMEOUT_MS / 1000})
  --app-root DIR         the function app the host runs (default: this project; npm run package writes .work/package)
  --polling              the polling blob trigger (LogsAndContainerScan) instead of Event Grid, as on the Dedicated plan
  --verbose              show the Functions host's own output`;

const OPTIONS = {
  scenario: { type: 'string' },
  workdir: { type: 'string' },
  'start-from': { type: 'string' },
  'timeout-seconds': { type: 'string' },
  'app-root': { type: 'string' },
  polling: { type: 'boolean' },
  verbose: { type: 'boolean' },
} as const;

interface DemoArguments {
  scenarioDir: string;
  workdir: string;
  startFrom?: string;
  drainTimeoutMs: number;
  appRoot?: string;
  polling: boolean;
  verbose: boolean;
}

function demoArguments(values: OptionValues<typeof OPTIONS>): DemoArguments {
  const timeoutSeconds = wholeNumberOption('timeout-seconds', values['timeout-seconds'], DEFAULT_DRAIN_TIMEOUT_MS / 1000, { min: 1, max: 86_400 });
  const startFrom = values['start-from'];
  if (startFrom !== undefined) {
    let instant: Date;
    try {
      instant = parseInstant(startFrom, '--start-from');
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (instant > new Date()) throw new UsageError(`--start-from ${startFrom} is in the future`);
  }
  return {
    scenarioDir: path.resolve(values.scenario ?? demoScenarioDir()),
    workdir: path.resolve(values.workdir ?? defaultDemoWorkdir()),
    ...(startFrom === undefined ? {} : { startFrom }),
    drainTimeoutMs: timeoutSeconds * 1000,
    ...(values['app-root'] === undefined ? {} : { appRoot: path.resolve(values['app-root']) }),
    polling: values.polling === true,
    verbose: values.verbose === true,
  };
}

/** A failure of the host itself, where its own output tells more. */
function hostTrouble(error: unknown): boolean {
  return error instanceof DrainTimeoutError || error instanceof HostProcessError;
}

/** The demo's exit status for a cycle: 1 when a fetch window did not succeed (its items were not all stored). */
export function cycleExitCode(report: DemoCycleResult['report']): number {
  return reportTotals(report).failedWindows > 0 ? ExitCode.failed : ExitCode.ok;
}

export function summary(result: Pick<DemoCycleResult, 'report' | 'mailboxFiles' | 'reportFile'>): string[] {
  const failedWindows = reportTotals(result.report).failedWindows;
  const lines: string[] = ['', failedWindows === 0 ? 'Cycle complete.' : `Cycle finished, but ${failedWindows} fetch window(s) failed: their items were not all stored.`];
  for (const c of result.report.connectors) {
    lines.push(
      `  ${c.id} (${c.product}): ${c.windows.length} window(s); fetched ${c.fetched}, stored ${c.stored}; ` +
        `imported ${c.imported.items} item(s) as ${c.imported.messages} message(s), ${c.alreadyImported} already imported; ` +
        `${c.unmapped.length} unmapped, ${c.quarantined.length} quarantined, ${c.failed.length} failed`,
    );
    for (const w of c.windows.filter((window) => window.status !== 'succeeded')) {
      lines.push(`    window ${w.from} – ${w.to}: ${w.status}${w.error === undefined ? '' : `: ${w.error}`}`);
    }
    const o = c.outstanding;
    if (o.unmapped.length + o.partial.length + o.failed.length + o.quarantined.length > 0) {
      lines.push(
        `    outstanding now (any cycle): ${o.unmapped.length} unmapped, ${o.partial.length} with a participant unmapped, ` +
          `${o.failed.length} failed, ${o.quarantined.length} quarantined; see "outstanding" in the report`,
      );
    }
    if (c.replayed !== undefined) {
      const r = c.replayed;
      lines.push(
        `    replayed from earlier windows: imported ${r.imported.items} item(s) as ${r.imported.messages} message(s), ` +
          `${r.alreadyImported} already imported; ${r.unmapped.length} still unmapped, ${r.quarantined.length} quarantined, ${r.failed.length} failed`,
      );
    }
  }
  const totals = reportTotals(result.report);
  if (totals.failed > 0) lines.push(`  ${totals.failed} item(s) failed to import: see "failed" in the report.`);
  if (totals.failedWindows > 0) lines.push(`  ${totals.failedWindows} fetch window(s) failed: see "windows" in the report; the next schedule tick queues them again.`);
  lines.push('', 'Mailboxes (Graph simulator export):');
  if (result.mailboxFiles.length === 0) lines.push('  none written yet');
  for (const m of result.mailboxFiles) lines.push(`  ${m.file}`);
  lines.push('', `Report: ${result.reportFile}`);
  return lines;
}

async function runDemo(values: OptionValues<typeof OPTIONS>): Promise<number> {
  const args = demoArguments(values);
  const abort = new AbortController();
  onStopSignals((signal) => {
    process.stderr.write(`${signal} received: stopping (again to exit at once)…\n`);
    abort.abort(new Error(`interrupted by ${signal}`));
  });

  process.stdout.write(`Scenario: ${args.scenarioDir}\nWork folder: ${args.workdir}\n`);
  try {
    const result = await runDemoCycle({
      scenarioDir: args.scenarioDir,
      workdir: args.workdir,
      ...(args.startFrom === undefined ? {} : { startFrom: args.startFrom }),
      drainTimeoutMs: args.drainTimeoutMs,
      ...(args.appRoot === undefined ? {} : { appRoot: args.appRoot }),
      echoHost: args.verbose,
      blobTriggerSource: args.polling ? 'LogsAndContainerScan' : 'EventGrid',
      signal: abort.signal,
      log: (line) => process.stdout.write(`${line}\n`),
    });
    process.stdout.write(`${summary(result).join('\n')}\n`);
    return cycleExitCode(result.report);
  } catch (error) {
    const message = abort.signal.aborted
      ? 'The demo was interrupted.'
      : `The demo failed: ${(error as Error)?.message ?? String(error)}${hostTrouble(error) && !args.verbose ? '\n(--verbose shows the Functions host\'s own output)' : ''}`;
    process.stderr.write(`${message}\n`);
    return ExitCode.failed;
  }
}

if (require.main === module) runCommand({ usage: USAGE, options: OPTIONS, run: runDemo });
