import { basename } from 'node:path';
import { verifyDay } from '../custody/copy-verifier';
import { parseUtcDay, type UtcDay } from '../custody/day-reconciliation';
import { formatDayLine, formatDayReconciliation, formatDayVerification } from './custody-format';
import { getConnector, listConnectors, listRuns } from '../admin/connector-admin';
import { AdminChanges } from '../admin/admin-changes';
import type { AuditActor } from '../audit/audit-trail';
import type { UserDirectory } from '../mapping/directory';
import { knownProducts, parseOnOff } from '../admin/connector-settings';
import { InvalidAdminInputError } from '../admin/admin-errors';
import type { AdminServices } from '../admin/admin-services';
import type { ConnectorTransport } from '../connectors/connector';
import {
  formatConnector,
  formatConnectorList,
  formatCurrentMapping,
  formatFailedItems,
  formatMappingReport,
  formatQuarantinedItems,
  formatProblem,
  formatRuns,
  formatUnmappedItems,
  formatVersions,
  jsonForTerminal,
  plural,
} from './cli-format';
import { listItemOutcomes, REPLAYABLE_STATUSES, type ReplayableStatus } from '../admin/item-admin';
import { listMappingVersions, showMapping, validateMappingFile } from '../admin/mapping-admin';

export type CommandGroup = 'connectors' | 'mapping' | 'items';

export const COMMAND_GROUPS: Readonly<Record<CommandGroup, string>> = {
  connectors: 'add, update, list, show, enable, disable and run connectors',
  mapping: 'validate and apply mapping files (mobile number to Microsoft 365 user)',
  items: 'list unmapped, failed and quarantined items, replay them, reconcile days and verify copies',
};

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** Placeholder of the value in help, e.g. "ID". */
  value?: string;
  description: string;
}

export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

export interface CommandContext {
  readonly values: OptionValues;
  /**
   * Writes lines to standard output, each escaped for a terminal (cli-format.ts `forTerminal`): a
   * line break inside one line is shown as `\x0a`, never printed.
   */
  out(lines: string | readonly string[]): void;
  /** Reads the password piped to standard input (for --password-stdin). */
  readPassword(): Promise<string>;
  /** Reads a file given on the command line, relative to the current folder. */
  readFile(path: string): Promise<Uint8Array>;
  services(): Promise<AdminServices>;
  /** Who runs the command, for the audit trail of changes. */
  actor(): AuditActor;
}

/** The audited changes, as the web API makes them too. */
function changes(ctx: CommandContext, services: AdminServices, directory?: UserDirectory): AdminChanges {
  return new AdminChanges(services, services.audit, ctx.actor(), { directory: () => directory });
}

interface CommandBase {
  readonly group: CommandGroup;
  readonly name: string;
  readonly summary: string;
  /** Further explanation shown by --help. */
  readonly details?: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly required?: readonly string[];
  /** Options required as well, depending on the others given (and as shown by help: given none). */
  readonly requiredWhen?: (values: OptionValues) => readonly string[];
  readonly examples?: readonly string[];
}

/** A command that only acts and says so. */
export interface ActionCommand extends CommandBase {
  run(ctx: CommandContext): Promise<number>;
}

/** A command's result, which the runner prints as JSON (--json) or as text for a person. */
export interface CommandAnswer {
  readonly json: unknown;
  text(): string | readonly string[];
  /** Default 0. */
  readonly exitCode?: number;
}

/** A command that takes --json: it answers, and {@link runCommandSpec} prints the answer one way or the other. */
export interface AnsweringCommand extends CommandBase {
  answer(ctx: CommandContext): Promise<CommandAnswer>;
}

export type CommandSpec = ActionCommand | AnsweringCommand;

/** Whether the command takes --json. */
export function takesJson(spec: CommandSpec): spec is AnsweringCommand {
  return 'answer' in spec;
}

/** Runs a command; an answering one's answer is printed as JSON with --json, as text otherwise. */
export async function runCommandSpec(spec: CommandSpec, ctx: CommandContext): Promise<number> {
  if (!takesJson(spec)) return spec.run(ctx);
  const answer = await spec.answer(ctx);
  // JSON holds no raw line break (JSON.stringify escapes them), so its lines are the output's lines.
  ctx.out(ctx.values['json'] === true ? jsonForTerminal(answer.json).split('\n') : answer.text());
  return answer.exitCode ?? 0;
}

const connectorIdOption: OptionSpec = { type: 'string', value: 'ID', description: 'the connector id' };


function text(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function need(values: OptionValues, name: string): string {
  // The runner checks required options before a command runs.
  return text(values, name) as string;
}

function transportOf(values: OptionValues): ConnectorTransport {
  const value = text(values, 'transport')?.trim();
  if (value === undefined || value === 'archive-api') return 'archive-api';
  if (value === 'eml-drop') return 'eml-drop';
  throw new InvalidAdminInputError('transport', `"${value}" must be archive-api or eml-drop`);
}

function replayableStatus(value: string | undefined): ReplayableStatus {
  if (value === undefined) return 'unmapped';
  if ((REPLAYABLE_STATUSES as readonly string[]).includes(value)) return value as ReplayableStatus;
  throw new InvalidAdminInputError('status', `"${value}" must be one of ${REPLAYABLE_STATUSES.join(', ')}`);
}

function positiveInteger(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new InvalidAdminInputError(field, `"${value}" must be a whole number of at least 1`);
  return Number(value);
}

export const COMMANDS: readonly CommandSpec[] = [
  {
    group: 'connectors',
    name: 'add',
    summary: 'Add a connector after TeleMessage has accepted its credentials (or one fed by EML exports over SFTP)',
    details: [
      'The password is a secret: in Azure (KEY_VAULT_URI set) a Key Vault secret, locally the app setting',
      'SECRET_<NAME> in local.settings.json. Without --password-stdin the secret must already exist.',
      'With --password-stdin the password is read from standard input, checked with TeleMessage, and only',
      'then stored (Key Vault: with your own Azure sign-in; locally: in local.settings.json).',
      'A new connector starts fetching 24 hours before now, or at --start-from.',
      'With --transport eml-drop the connector takes the ZIPs TeleMessage delivers over SFTP instead: no',
      'URL, user or password; its folder eml-drop/<id> is made in the drop zone (DropZoneStorage) and the',
      'timer never queues fetch jobs for it (docs/deployment.md: what to send TeleMessage).',
    ],
    options: {
      id: { type: 'string', value: 'ID', description: '2 to 63 lower-case letters, digits or dashes' },
      product: { type: 'string', value: 'PRODUCT', description: `the TeleMessage archiver: ${knownProducts().join(' or ')}` },
      transport: { type: 'string', value: 'archive-api|eml-drop', description: 'how items arrive (default archive-api)' },
      'base-url': { type: 'string', value: 'URL', description: 'TeleMessage API root (https; http on loopback only); archive-api only' },
      username: { type: 'string', value: 'NAME', description: 'TeleMessage API user; archive-api only' },
      'password-secret': { type: 'string', value: 'NAME', description: 'name of the secret holding the password; archive-api only' },
      'password-stdin': { type: 'boolean', description: 'read the password from standard input and store it as the secret' },
      'folder-name': { type: 'string', value: 'NAME', description: "mailbox folder (default: the product's, e.g. \"AT&T SMS/MMS Network Archiver\")" },
      region: { type: 'string', value: 'CC', description: 'region of numbers without a country code (default US)' },
      'auto-mapping': { type: 'string', value: 'on|off', description: "map participants by their own email address (default on)" },
      'start-from': { type: 'string', value: 'ISO', description: 'first instant to fetch, e.g. 2026-01-01T00:00:00Z (default: 24 hours ago)' },
      disabled: { type: 'boolean', description: 'add the connector disabled' },
    },
    required: ['id', 'product'],
    requiredWhen: (values) => (transportOf(values) === 'eml-drop' ? [] : ['base-url', 'username', 'password-secret']),
    examples: [
      "printf '%s' \"$TM_PASSWORD\" | npm run connectors -- add --id att-main --product att-network \\",
      '    --base-url https://archive.example.com --username contoso-api --password-secret telemessage-att-main --password-stdin',
      'npm run connectors -- add --id att-sftp --product att-network --transport eml-drop',
    ],
    async answer(ctx) {
      const v = ctx.values;
      const transport = transportOf(v);
      const password = v['password-stdin'] === true ? await ctx.readPassword() : undefined;
      const services = await ctx.services();
      const autoMapping = text(v, 'auto-mapping');
      const folderName = text(v, 'folder-name');
      const region = text(v, 'region');
      const startFrom = text(v, 'start-from');
      const baseUrl = text(v, 'base-url');
      const username = text(v, 'username');
      const passwordSecretName = text(v, 'password-secret');
      const result = await changes(ctx, services).addConnector(
        {
          id: need(v, 'id'),
          product: need(v, 'product'),
          transport,
          enabled: v['disabled'] !== true,
          ...(baseUrl === undefined ? {} : { baseUrl }),
          ...(username === undefined ? {} : { username }),
          ...(passwordSecretName === undefined ? {} : { passwordSecretName }),
          ...(password === undefined ? {} : { password }),
          ...(folderName === undefined ? {} : { folderName }),
          ...(region === undefined ? {} : { region }),
          ...(autoMapping === undefined ? {} : { autoMapping: parseOnOff(autoMapping, 'auto-mapping') }),
          ...(startFrom === undefined ? {} : { startFrom }),
        },
      );
      const c = result.connector;
      return {
        json: result.dropFolder === undefined ? c : { ...c, dropFolder: result.dropFolder },
        text: () => {
          if (result.dropFolder !== undefined) {
            return [
              `Connector "${c.id}" added (${c.enabled ? 'enabled' : 'disabled'}): ${c.product} into folder "${c.folderName}", from TeleMessage's EML exports.`,
              `TeleMessage delivers its ZIPs over SFTP into ${result.dropFolder}/ of the drop zone; each is imported as it arrives (no fetch jobs).`,
            ];
          }
          const lines = [
            `Connector "${c.id}" added (${c.enabled ? 'enabled' : 'disabled'}): ${c.product} into folder "${c.folderName}", fetching from ${c.checkpoint}.`,
          ];
          if (result.secretStoredIn !== undefined) {
            lines.push(`The password is stored as secret "${c.passwordSecretName}" in ${result.secretStoredIn}.`);
            if (services.config.secrets.kind === 'app-settings') {
              lines.push('Restart the Functions host (func start / npm start) so that it reads the new setting.');
            }
          }
          if (c.enabled) lines.push(`The next timer run fetches it; to start now: npm run connectors -- run --id ${c.id}`);
          return lines;
        },
      };
    },
  },
  {
    group: 'connectors',
    name: 'update',
    summary: "Change a connector's TeleMessage account, password, folder, region or automatic mapping in place",
    details: [
      'Only the options given change; each is checked as add checks it. A new base URL, user, password',
      'secret or password is checked with TeleMessage before it is saved. The checkpoint, runs and outcomes',
      'stay: nothing is fetched again. A new folder takes effect for items imported from then on; copies',
      'already imported stay in the old folder and are not made again (docs/administration.md).',
    ],
    options: {
      id: connectorIdOption,
      'base-url': { type: 'string', value: 'URL', description: 'TeleMessage API root (https; http on loopback only)' },
      username: { type: 'string', value: 'NAME', description: 'TeleMessage API user' },
      'password-secret': { type: 'string', value: 'NAME', description: 'name of the secret holding the password' },
      'password-stdin': { type: 'boolean', description: 'read a new password from standard input and store it as the secret' },
      'folder-name': { type: 'string', value: 'NAME', description: 'mailbox folder for items imported from now on' },
      region: { type: 'string', value: 'CC', description: 'region of numbers without a country code' },
      'auto-mapping': { type: 'string', value: 'on|off', description: 'map participants by their own email address' },
    },
    required: ['id'],
    examples: [
      'npm run connectors -- update --id att-main --folder-name "Texts (archive)"',
      "printf '%s' \"$TM_PASSWORD\" | npm run connectors -- update --id att-main --username contoso-api-2 --password-stdin",
    ],
    async answer(ctx) {
      const v = ctx.values;
      const password = v['password-stdin'] === true ? await ctx.readPassword() : undefined;
      const services = await ctx.services();
      const optional = (name: string): string | undefined => text(v, name);
      const autoMapping = optional('auto-mapping');
      const fields = {
        baseUrl: optional('base-url'),
        username: optional('username'),
        passwordSecretName: optional('password-secret'),
        folderName: optional('folder-name'),
        region: optional('region'),
      };
      const result = await changes(ctx, services).update(
        {
          id: need(v, 'id'),
          ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
          ...(password === undefined ? {} : { password }),
          ...(autoMapping === undefined ? {} : { autoMapping: parseOnOff(autoMapping, 'auto-mapping') }),
        },
      );
      const c = result.connector;
      return {
        json: { connector: c, changed: result.changed },
        text: () => {
          if (result.changed.length === 0) return `Connector "${c.id}": nothing to change.`;
          const lines = [`Connector "${c.id}" updated: ${result.changed.join(', ')}.`];
          if (result.changed.includes('folder-name')) {
            lines.push(`Items imported from now on go to folder "${c.folderName}"; copies already imported stay where they are.`);
          }
          if (result.secretStoredIn !== undefined) lines.push(`The password is stored as secret "${c.passwordSecretName}" in ${result.secretStoredIn}.`);
          if (result.secretStoredIn !== undefined && services.config.secrets.kind === 'app-settings') {
            lines.push('Restart the Functions host (func start / npm start) so that it reads the new setting.');
          }
          return lines;
        },
      };
    },
  },
  {
    group: 'connectors',
    name: 'list',
    summary: 'List the connectors with their checkpoint, last run and mapping file',
    options: {},
    async answer(ctx) {
      const connectors = await listConnectors(await ctx.services());
      return {
        json: connectors,
        text: () => (connectors.length === 0 ? 'No connectors yet; add one with: npm run connectors -- add --help' : formatConnectorList(connectors)),
      };
    },
  },
  {
    group: 'connectors',
    name: 'show',
    summary: 'Show one connector (never its password: only the name of its secret)',
    options: { id: connectorIdOption },
    required: ['id'],
    async answer(ctx) {
      const connector = await getConnector(need(ctx.values, 'id'), await ctx.services());
      return { json: connector, text: () => formatConnector(connector) };
    },
  },
  {
    group: 'connectors',
    name: 'enable',
    summary: 'Enable a connector (refused with automatic mapping off and no mapping file)',
    options: { id: connectorIdOption },
    required: ['id'],
    async run(ctx) {
      const c = await changes(ctx, await ctx.services()).enable(need(ctx.values, 'id'));
      ctx.out(`Connector "${c.id}" is enabled.`);
      return 0;
    },
  },
  {
    group: 'connectors',
    name: 'disable',
    summary: 'Disable a connector: no new fetch windows are queued for it',
    options: { id: connectorIdOption },
    required: ['id'],
    async run(ctx) {
      const c = await changes(ctx, await ctx.services()).disable(need(ctx.values, 'id'));
      ctx.out(`Connector "${c.id}" is disabled.`);
      return 0;
    },
  },
  {
    group: 'connectors',
    name: 'run',
    summary: 'Queue fetch jobs now: up to now, or a back-fill window with --from/--to',
    details: [
      'Without --from, the windows from the checkpoint to a few minutes ago are queued, as the timer would.',
      'With --from (and --to, default now), that window is queued again, one job per UTC day; windows',
      'already queued or running are skipped. Items already stored are not stored twice.',
    ],
    options: {
      id: connectorIdOption,
      from: { type: 'string', value: 'ISO', description: 'start of a back-fill window' },
      to: { type: 'string', value: 'ISO', description: 'end of the back-fill window (default now)' },
    },
    required: ['id'],
    examples: ['npm run connectors -- run --id att-main', 'npm run connectors -- run --id att-main --from 2026-01-01T00:00:00Z --to 2026-01-08T00:00:00Z'],
    async answer(ctx) {
      const from = text(ctx.values, 'from');
      const to = text(ctx.values, 'to');
      const audited = changes(ctx, await ctx.services());
      const id = need(ctx.values, 'id');
      if (from === undefined && to !== undefined) throw new InvalidAdminInputError('from', 'is required with --to');
      const result = from === undefined ? await audited.runNow(id) : await audited.backfill(id, from, to);
      return {
        json: result,
        text: () => {
          const lines =
            result.queued.length === 0
              ? [`Nothing new to queue for connector "${result.connectorId}".`]
              : [`Queued ${plural(result.queued.length, 'fetch window')} for connector "${result.connectorId}":`, ...result.queued.map((w) => `  ${w.from}  to  ${w.to}`)];
          if (result.skipped > 0) lines.push(`Skipped ${plural(result.skipped, 'window')} already queued or running.`);
          return lines;
        },
      };
    },
  },
  {
    group: 'connectors',
    name: 'runs',
    summary: "List a connector's fetch runs, newest window first",
    options: { id: connectorIdOption, limit: { type: 'string', value: 'N', description: 'show at most N runs' } },
    required: ['id'],
    async answer(ctx) {
      const limit = positiveInteger(text(ctx.values, 'limit'), 'limit');
      const runs = await listRuns(need(ctx.values, 'id'), await ctx.services(), limit === undefined ? {} : { limit });
      return { json: runs, text: () => (runs.length === 0 ? 'No runs yet.' : formatRuns(runs)) };
    },
  },
  {
    group: 'mapping',
    name: 'validate',
    summary: 'Check a mapping file and print its problems by line; changes nothing',
    details: [
      'Exit code 1 when the file has errors (it could not be applied), 0 otherwise (warnings allowed).',
      'With Graph configured, each address is looked up in the directory; --no-directory skips that.',
    ],
    options: {
      connector: connectorIdOption,
      file: { type: 'string', value: 'FILE', description: 'the CSV mapping file' },
      'no-directory': { type: 'boolean', description: 'do not look the addresses up in the directory' },
    },
    required: ['connector', 'file'],
    async answer(ctx) {
      const bytes = await ctx.readFile(need(ctx.values, 'file'));
      const services = await ctx.services();
      const directory = ctx.values['no-directory'] === true ? undefined : services.directory();
      const report = await validateMappingFile(
        { connectorId: need(ctx.values, 'connector'), bytes },
        { connectors: services.connectors, ...(directory === undefined ? {} : { directory }) },
      );
      return {
        json: { ok: report.ok, problems: report.problems, stats: report.stats },
        text: () => [...formatMappingReport(report), ...(directory === undefined ? ['(The addresses were not looked up in the directory.)'] : [])],
        exitCode: report.ok ? 0 : 1,
      };
    },
  },
  {
    group: 'mapping',
    name: 'apply',
    summary: 'Apply a mapping file; a file with errors is refused and the mapping in force stays',
    details: [
      'The file is kept as a new version in Blob Storage (container mapping-files) and its mapping takes',
      'effect for items imported from about a minute later. Replay unmapped items afterwards:',
      '  npm run items -- replay --connector ID',
    ],
    options: {
      connector: connectorIdOption,
      file: { type: 'string', value: 'FILE', description: 'the CSV mapping file' },
      'no-directory': { type: 'boolean', description: 'do not look the addresses up in the directory' },
    },
    required: ['connector', 'file'],
    async answer(ctx) {
      const file = need(ctx.values, 'file');
      const bytes = await ctx.readFile(file);
      const services = await ctx.services();
      const directory = ctx.values['no-directory'] === true ? undefined : services.directory();
      const applied = await changes(ctx, services, directory).applyMapping(
        { connectorId: need(ctx.values, 'connector'), bytes, fileName: basename(file) },
        { useDirectory: directory !== undefined },
      );
      const { mapping: _mapping, ...current } = applied.current;
      return {
        json: { current, problems: applied.report.problems, stats: applied.report.stats },
        text: () => [
          ...applied.report.problems.map(formatProblem),
          `Applied version ${applied.current.version} to connector "${applied.connector.id}": ${plural(applied.report.stats.entries, 'number')} from ${plural(applied.current.rows, 'row')}.`,
          `To import the items that were unmapped: npm run items -- replay --connector ${applied.connector.id}`,
        ],
      };
    },
  },
  {
    group: 'mapping',
    name: 'versions',
    summary: 'List the mapping files applied to a connector (* marks the one in force)',
    options: { connector: connectorIdOption },
    required: ['connector'],
    async answer(ctx) {
      const listing = await listMappingVersions(need(ctx.values, 'connector'), await ctx.services());
      return {
        json: listing,
        text: () => (listing.versions.length === 0 ? 'No mapping file has been applied to this connector.' : formatVersions(listing.current, listing.versions)),
      };
    },
  },
  {
    group: 'mapping',
    name: 'show',
    summary: 'Show the mapping in force: its version and every number with its address',
    options: { connector: connectorIdOption },
    required: ['connector'],
    async answer(ctx) {
      const current = await showMapping(need(ctx.values, 'connector'), await ctx.services());
      return {
        json: current ?? null,
        text: () => (current === undefined ? 'No mapping file is in force for this connector.' : formatCurrentMapping(current)),
      };
    },
  },
  {
    group: 'items',
    name: 'unmapped',
    summary: 'List the items that map to no mailbox, with each participant and why',
    options: { connector: connectorIdOption },
    required: ['connector'],
    async answer(ctx) {
      const outcomes = await listItemOutcomes(need(ctx.values, 'connector'), 'unmapped', await ctx.services());
      return {
        json: outcomes,
        text: () => (outcomes.length === 0 ? 'No unmapped items.' : [...formatUnmappedItems(outcomes), `${plural(outcomes.length, 'unmapped item')}.`]),
      };
    },
  },
  {
    group: 'items',
    name: 'failed',
    summary: 'List the items whose import failed, with the last error',
    options: { connector: connectorIdOption },
    required: ['connector'],
    async answer(ctx) {
      const outcomes = await listItemOutcomes(need(ctx.values, 'connector'), 'failed', await ctx.services());
      return {
        json: outcomes,
        text: () => (outcomes.length === 0 ? 'No failed items.' : [...formatFailedItems(outcomes), `${plural(outcomes.length, 'failed item')}.`]),
      };
    },
  },
  {
    group: 'items',
    name: 'quarantined',
    summary: 'List the items refused as malformed or failing (by the fetch or the import stage), with why',
    details: [
      'Each is kept in the quarantine container with the reason. Once the cause is fixed, replay them:',
      '  npm run items -- replay --connector ID --status quarantined',
    ],
    options: { connector: connectorIdOption },
    required: ['connector'],
    async answer(ctx) {
      const outcomes = await listItemOutcomes(need(ctx.values, 'connector'), 'quarantined', await ctx.services());
      return {
        json: outcomes,
        text: () => (outcomes.length === 0 ? 'No quarantined items.' : [...formatQuarantinedItems(outcomes), `${plural(outcomes.length, 'quarantined item')}.`]),
      };
    },
  },
  {
    group: 'items',
    name: 'replay',
    summary: 'Import the listed items again (after the mapping or the cause of failure is fixed)',
    details: [
      'Each item is queued for the import stage, which reads it from the archive (never rewritten) and',
      'skips mailboxes that already hold it, so an item that now maps is imported exactly once.',
      'Items that still do not map stay listed. A quarantined item the fetch stage refused is stored from',
      'its quarantined copy as the fetch stage would (attachments fetched again and checked), then imported;',
      'one that fails again stays quarantined with the new reason.',
    ],
    options: {
      connector: connectorIdOption,
      status: { type: 'string', value: 'unmapped|failed|quarantined', description: 'which items to replay (default unmapped)' },
      from: { type: 'string', value: 'ISO', description: 'only items archived at or after this instant' },
      to: { type: 'string', value: 'ISO', description: 'only items archived before this instant' },
    },
    required: ['connector'],
    async answer(ctx) {
      const status = replayableStatus(text(ctx.values, 'status'));
      const from = text(ctx.values, 'from');
      const to = text(ctx.values, 'to');
      const result = await changes(ctx, await ctx.services()).replayByStatus({
        connectorId: need(ctx.values, 'connector'),
        status,
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
      });
      return {
        json: result,
        text: () => {
          const lines = [`Queued ${result.replayed.length} of ${plural(result.listed, `${status} item`)} of connector "${result.connectorId}" for replay.`];
          if (result.missing.length > 0) lines.push(`${plural(result.missing.length, 'item')} no longer in storage: ${result.missing.join(', ')}`);
          for (const f of result.failed) lines.push(`${f.itemId}: could not be replayed: ${f.error}`);
          return lines;
        },
        exitCode: result.failed.length === 0 ? 0 : 1,
      };
    },
  },
  {
    group: 'items',
    name: 'reconcile',
    summary: "Reconcile a UTC day now: TeleMessage's listing against the archive and every copy",
    details: [
      'Lists the day at TeleMessage again, checks each listed item is in the archive and accounted for',
      '(imported into every mapped mailbox, or unmapped, quarantined or failed with a reason), and writes',
      "the day's manifest once into archive-manifests when it reconciles. Exit 1 when it does not.",
    ],
    options: { connector: connectorIdOption, date: { type: 'string', value: 'YYYY-MM-DD', description: 'the UTC day' } },
    required: ['connector', 'date'],
    async answer(ctx) {
      const day = parseUtcDayOption(need(ctx.values, 'date'));
      const record = await (await ctx.services()).reconciler().reconcileDay(need(ctx.values, 'connector'), day);
      return { json: record, text: () => formatDayReconciliation(record), exitCode: record.reconciled ? 0 : 1 };
    },
  },
  {
    group: 'items',
    name: 'days',
    summary: "List a connector's reconciled and unreconciled days",
    options: { connector: connectorIdOption },
    required: ['connector'],
    async answer(ctx) {
      const days = await (await ctx.services()).reconciliations.list(need(ctx.values, 'connector'));
      return {
        json: days,
        text: () => (days.length === 0 ? 'No day reconciled yet.' : days.map(formatDayLine)),
        exitCode: days.every((d) => d.reconciled) ? 0 : 1,
      };
    },
  },
  {
    group: 'items',
    name: 'verify',
    summary: "Read each copy a reconciled day's manifest records back through Graph and check it",
    details: [
      'Checks that each copy exists, is in the connector folder, carries the archived item and attachment',
      'SHA-256, and shows the body it was created with. Read-only. Exit 1 on any difference.',
    ],
    options: {
      connector: connectorIdOption,
      date: { type: 'string', value: 'YYYY-MM-DD', description: 'the UTC day' },
      sample: { type: 'string', value: 'N', description: 'check N copies chosen at random instead of all' },
    },
    required: ['connector', 'date'],
    async answer(ctx) {
      const services = await ctx.services();
      const reader = services.copyReader();
      if (reader === undefined) throw new InvalidAdminInputError('GRAPH_ENDPOINT', 'verify reads mailboxes through Graph: set it and the Graph sign-in settings');
      const sampleText = text(ctx.values, 'sample');
      const sample = sampleText === undefined ? undefined : Number(sampleText);
      if (sample !== undefined && (!Number.isInteger(sample) || sample < 1)) throw new InvalidAdminInputError('--sample', `"${sampleText}" must be a whole number of copies, 1 or more`);
      const result = await verifyDay(
        { connectorId: need(ctx.values, 'connector'), day: parseUtcDayOption(need(ctx.values, 'date')), ...(sample === undefined ? {} : { sample }) },
        { connectors: services.connectors, manifests: services.manifests, reader },
      );
      return { json: result, text: () => formatDayVerification(result), exitCode: result.differences.length === 0 ? 0 : 1 };
    },
  },
];

function parseUtcDayOption(value: string): UtcDay {
  try {
    return parseUtcDay(value, '--date');
  } catch {
    throw new InvalidAdminInputError('--date', `"${value}" is not a calendar day written YYYY-MM-DD`);
  }
}
