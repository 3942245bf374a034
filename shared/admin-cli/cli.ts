import { text } from 'node:stream/consumers';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigurationError } from '../platform/settings/configuration-error';
import { SecretNotFoundError } from '../platform/secrets/secret-store';
import { AdminError, DirectoryUnavailableError, describeError, InvalidAdminInputError, MappingFileRejectedError } from '../admin/admin-errors';
import type { AdminServices, AdminServicesOptions, AdminSettings } from '../admin/admin-services';
import { createAdminServices, loadAdminSettings } from '../app/services';
import { COMMAND_GROUPS, COMMANDS, runCommandSpec, takesJson, type CommandContext, type CommandGroup, type CommandSpec, type OptionSpec, type OptionValues } from './cli-commands';
import { forTerminal, formatMappingReport } from './cli-format';
import { LOCAL_SETTINGS_FILE, readLocalSettingsValues } from '../admin/local-settings-file';
import type { AuditActor } from '../audit/audit-trail';

/**
 * The administration command line: `cli.js <group> <command> [options]`, groups `connectors`,
 * `mapping` and `items` (the npm scripts of the same names pass the group). Exit codes: 0 done,
 * 1 refused or failed, 2 the command line itself is wrong. Errors are one line on stderr.
 */

type Env = Readonly<Record<string, string | undefined>>;

export interface CliIo {
  /** One line (or several joined by \n) to standard output. */
  stdout(text: string): void;
  stderr(text: string): void;
  /** Everything piped to standard input. */
  readStdin(): Promise<string>;
  readonly stdinIsTTY: boolean;
  readonly env: Env;
  readonly cwd: string;
}

export interface CliOptions {
  /** Replaces how the stores and clients are built (tests). */
  createServices?: (config: AdminSettings, options: AdminServicesOptions) => AdminServices;
}

/** The command line is wrong: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  settings: { type: 'string', value: 'FILE', description: `read app settings from FILE instead of ./${LOCAL_SETTINGS_FILE}` },
  help: { type: 'boolean', description: 'show this help' },
};
const JSON_OPTION: OptionSpec = { type: 'boolean', description: 'print JSON instead of text' };

export async function runCli(argv: readonly string[], io: CliIo, options: CliOptions = {}): Promise<number> {
  // Values that must never be printed, whatever an error message says.
  const secrets: string[] = [];
  const redact = (text: string): string => secrets.reduce((t, s) => t.split(s).join('***'), text);
  // Every line is escaped for the terminal here, whoever made it: a value cannot forge a line.
  const out = (lines: string | readonly string[]): void =>
    io.stdout((typeof lines === 'string' ? [lines] : lines).map((line) => forTerminal(redact(line))).join('\n'));
  let spec: CommandSpec | undefined;
  try {
    const [group, command, ...rest] = argv;
    if (group === undefined || isHelp(group)) {
      out(overallHelp().split('\n'));
      return group === undefined ? 2 : 0;
    }
    if (!isGroup(group)) throw new UsageError(`unknown command group "${group}"; use connectors, mapping or items`);
    if (command === undefined || isHelp(command)) {
      out(groupHelp(group).split('\n'));
      return command === undefined ? 2 : 0;
    }
    spec = COMMANDS.find((c) => c.group === group && c.name === command);
    if (spec === undefined) {
      throw new UsageError(`unknown command "${group} ${command}"; the ${group} commands are: ${commandsOf(group).map((c) => c.name).join(', ')}`);
    }
    const values = parseCommandLine(spec, rest);
    if (values['help'] === true) {
      out(commandHelp(spec).split('\n'));
      return 0;
    }
    const missing = requiredOptions(spec, values).filter((name) => typeof values[name] !== 'string' || (values[name] as string).trim() === '');
    if (missing.length > 0) throw new UsageError(`${missing.map((m) => `--${m}`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} required`);

    let services: Promise<AdminServices> | undefined;
    const context: CommandContext = {
      values,
      out,
      readPassword: async () => {
        const password = await readPassword(io);
        secrets.push(password);
        return password;
      },
      readFile: (path) => readInputFile(io.cwd, path),
      actor: () => cliActor(io.env),
      services: () =>
        (services ??= (async () => {
          const settingsFile = settingsFileOf(io.cwd, values);
          const fileValues = await readLocalSettingsValues(settingsFile);
          if (fileValues === undefined && typeof values['settings'] === 'string') {
            throw new InvalidAdminInputError('settings', `${settingsFile} does not exist`);
          }
          // As under Core Tools: the environment wins over local.settings.json.
          const env: Env = { ...fileValues, ...io.env };
          const create = options.createServices ?? createAdminServices;
          return create(loadAdminSettings(env), { env, localSettingsFile: settingsFile });
        })()),
    };
    return await runCommandSpec(spec, context);
  } catch (error) {
    if (error instanceof MappingFileRejectedError) out(formatMappingReport(error.report));
    const failure = describeFailure(error, spec);
    io.stderr(`Error: ${forTerminal(redact(failure.message))}`);
    return failure.exitCode;
  }
}

function parseCommandLine(spec: CommandSpec, args: readonly string[]): OptionValues {
  const specs: Record<string, OptionSpec> = { ...spec.options, ...(takesJson(spec) ? { json: JSON_OPTION } : {}), ...COMMON_OPTIONS };
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, option] of Object.entries(specs)) config[name] = { type: option.type, ...(name === 'help' ? { short: 'h' } : {}) };
  // Not strict: every mistake is reported below in the command's own words.
  const { tokens } = parseArgs({ args: [...args], options: config, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | boolean> = {};
  for (const token of tokens) {
    if (token.kind === 'positional') throw new UsageError(`unexpected argument "${token.value}"`);
    if (token.kind !== 'option') continue;
    const option = specs[token.name];
    if (option === undefined) throw new UsageError(`unknown option ${token.rawName}`);
    if (option.type === 'string') {
      if (token.value === undefined) throw new UsageError(`${token.rawName} needs a value (${option.value ?? 'VALUE'})`);
      values[token.name] = token.value;
    } else {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`);
      values[token.name] = true;
    }
  }
  return values;
}

function describeFailure(error: unknown, spec: CommandSpec | undefined): { exitCode: number; message: string } {
  const hint = spec === undefined ? '' : ` (see: npm run ${spec.group} -- ${spec.name} --help)`;
  if (error instanceof UsageError) return { exitCode: 2, message: `${error.message}${hint}` };
  if (error instanceof ConfigurationError) {
    return { exitCode: 1, message: `Invalid configuration: ${error.problems.map((p) => `${p.setting} ${p.message}`).join('; ')}` };
  }
  if (error instanceof InvalidAdminInputError) {
    const isOption = spec !== undefined && (error.field in spec.options || error.field in COMMON_OPTIONS);
    return { exitCode: 1, message: isOption ? `--${error.message}` : error.message };
  }
  if (error instanceof DirectoryUnavailableError) return { exitCode: 1, message: `${error.message}; use --no-directory to check without the directory` };
  if (error instanceof SecretNotFoundError && (spec?.name === 'add' || spec?.name === 'update')) {
    return { exitCode: 1, message: `${error.message}; give the password with --password-stdin to store it` };
  }
  if (error instanceof AdminError) return { exitCode: 1, message: error.message };
  return { exitCode: 1, message: describeError(error) };
}

async function readPassword(io: CliIo): Promise<string> {
  if (io.stdinIsTTY) {
    throw new UsageError(`--password-stdin reads the password from a pipe, e.g. printf '%s' "$PASSWORD" | npm run connectors -- add …`);
  }
  // One final line break is the pipe's, not the password's.
  const password = (await io.readStdin()).replace(/\r?\n$/, '');
  if (password === '') throw new InvalidAdminInputError('password-stdin', 'standard input held no password');
  return password;
}

async function readInputFile(cwd: string, path: string): Promise<Uint8Array> {
  const file = isAbsolute(path) ? path : resolve(cwd, path);
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InvalidAdminInputError('file', `${file} does not exist`);
    if (code === 'EISDIR') throw new InvalidAdminInputError('file', `${file} is a folder, not a file`);
    throw new InvalidAdminInputError('file', `${file} cannot be read (${describeError(error)})`);
  }
}

/** The command line's changes are audited under the OS user who ran it. */
function cliActor(env: Env): AuditActor {
  let user = env['USER'] ?? env['USERNAME'];
  if (user === undefined || user.trim() === '') {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return { id: `cli:${user}`, name: user, via: 'cli' };
}

function settingsFileOf(cwd: string, values: OptionValues): string {
  const given = values['settings'];
  return typeof given === 'string' ? resolve(cwd, given) : join(cwd, LOCAL_SETTINGS_FILE);
}

function isHelp(arg: string): boolean {
  return arg === '--help' || arg === '-h' || arg === 'help';
}

function isGroup(value: string): value is CommandGroup {
  return Object.hasOwn(COMMAND_GROUPS, value);
}

function commandsOf(group: CommandGroup): CommandSpec[] {
  return COMMANDS.filter((c) => c.group === group);
}

/** The options a command needs, given the values it was called with (`--transport` changes those of connectors add). */
function requiredOptions(spec: CommandSpec, values: OptionValues): readonly string[] {
  return [...(spec.required ?? []), ...(spec.requiredWhen?.(values) ?? [])];
}

function usageLine(spec: CommandSpec): string {
  const required = requiredOptions(spec, {}).map((name) => `--${name} ${spec.options[name]?.value ?? 'VALUE'}`);
  const hasOptional = Object.keys(spec.options).some((name) => !requiredOptions(spec, {}).includes(name)) || takesJson(spec);
  return `npm run ${spec.group} -- ${spec.name}${required.length > 0 ? ` ${required.join(' ')}` : ''}${hasOptional ? ' [options]' : ''}`;
}

function commandHelp(spec: CommandSpec): string {
  const options: [string, OptionSpec, boolean][] = [
    ...Object.entries(spec.options).map(([n, o]): [string, OptionSpec, boolean] => [n, o, requiredOptions(spec, {}).includes(n)]),
    ...(takesJson(spec) ? [['json', JSON_OPTION, false] as [string, OptionSpec, boolean]] : []),
    ...Object.entries(COMMON_OPTIONS).map(([n, o]): [string, OptionSpec, boolean] => [n, o, false]),
  ];
  const labels = options.map(([name, o]) => `${name === 'help' ? '-h, ' : ''}--${name}${o.value === undefined ? '' : ` ${o.value}`}`);
  const width = Math.max(...labels.map((l) => l.length));
  return [
    `Usage: ${usageLine(spec)}`,
    '',
    `${spec.summary}.`,
    ...(spec.details === undefined ? [] : ['', ...spec.details]),
    '',
    'Options:',
    ...options.map(([, o, required], i) => `  ${(labels[i] as string).padEnd(width)}  ${o.description}${required ? ' (required)' : ''}`),
    ...(spec.examples === undefined ? [] : ['', 'Example:', ...spec.examples.map((e) => `  ${e}`)]),
    '',
    'Exit codes: 0 done, 1 refused or failed, 2 wrong command line. Documentation: docs/administration.md',
  ].join('\n');
}

function groupHelp(group: CommandGroup): string {
  const commands = commandsOf(group);
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `Usage: npm run ${group} -- <command> [options]`,
    '',
    `Commands to ${COMMAND_GROUPS[group]}:`,
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Help on one command: npm run ${group} -- <command> --help`,
  ].join('\n');
}

function overallHelp(): string {
  const groups = Object.entries(COMMAND_GROUPS) as [CommandGroup, string][];
  return [
    'Administration of the TeleMessage archiver.',
    '',
    'Usage:',
    ...groups.map(([g, what]) => `  npm run ${g} -- <command> [options]`.padEnd(48) + what),
    '  (or: node dist/shared/admin-cli/cli.js <group> <command> [options])',
    '',
    ...groups.flatMap(([g]) => commandsOf(g).map((c) => `  ${`${g} ${c.name}`.padEnd(20)}${c.summary}`)),
    '',
    `Settings are the app's: environment variables and the Values of ./${LOCAL_SETTINGS_FILE} (the environment`,
    'wins), or --settings FILE. Exit codes: 0 done, 1 refused or failed, 2 wrong command line.',
    'Documentation: docs/administration.md',
  ].join('\n');
}

function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (text) => process.stderr.write(`${text}\n`),
    readStdin: () => text(process.stdin),
    stdinIsTTY: process.stdin.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
  };
}

if (require.main === module) {
  runCli(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`Error: ${forTerminal(describeError(error))}\n`);
      process.exitCode = 1;
    },
  );
}
