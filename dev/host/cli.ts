/**
 * Runs the local Functions host like `func start`:
 *   node dist/dev/host/cli.js --app-root . [--port 7071] [--host-id <id>] [--hostname 127.0.0.1]
 * Prints the function list, then a ready line; SIGINT/SIGTERM stop it cleanly (a second signal
 * exits at once).
 */
import { ExitCode, onStopSignals, portOption, runCommand, type OptionValues } from '../command-line';
import { HostStartupError, toError } from './errors';
import { FunctionsHost, type FunctionDescription } from './functions-host';
import { ConsoleHostLogger } from './host-logging';
import { formatReadyLine } from './ready-line';

const USAGE = 'Usage: node dist/dev/host/cli.js --app-root <folder> [--port <n>] [--host-id <id>] [--hostname <address>]';

/**
 * Core Tools' function list: `name: [GET,POST] http://…` for HTTP, `name: timerTrigger` otherwise;
 * a function in error is listed too, with its error below it.
 */
function formatFunctionListing(functions: readonly FunctionDescription[]): string {
  if (functions.length === 0) return 'No job functions found.\n';
  const lines = functions.map((f) => {
    const line = f.url ? `\t${f.name}: [${(f.methods ?? []).join(',')}] ${f.url}` : `\t${f.name}: ${f.triggerType}`;
    return f.error === undefined ? line : `${line}\n\t\tIn error: ${f.error}`;
  });
  return `\nFunctions:\n\n${lines.join('\n\n')}\n\n`;
}

const OPTIONS = {
  'app-root': { type: 'string' },
  port: { type: 'string' },
  'host-id': { type: 'string' },
  hostname: { type: 'string' },
} as const;

async function runHost(values: OptionValues<typeof OPTIONS>): Promise<number> {
  const port = values.port === undefined ? undefined : portOption('port', values.port, 0);

  // A signal during start-up ends the process at once: there is nothing to drain yet.
  const offDuringStartup = onStopSignals((signal) => {
    process.stderr.write(`${signal} received during start-up: exiting.\n`);
    process.exit(ExitCode.interrupted);
  });

  let host: FunctionsHost;
  try {
    host = await FunctionsHost.start({
      appRoot: values['app-root'] ?? '.',
      logger: new ConsoleHostLogger(),
      ...(port === undefined ? {} : { port }),
      ...(values['host-id'] ? { hostId: values['host-id'] } : {}),
      ...(values.hostname ? { hostname: values.hostname } : {}),
    });
  } catch (err) {
    const error = toError(err);
    process.stderr.write(`${error instanceof HostStartupError ? error.message : (error.stack ?? error.message)}\n`);
    return ExitCode.failed;
  } finally {
    offDuringStartup();
  }

  process.stdout.write(formatFunctionListing(host.describeFunctions()));
  process.stdout.write(`${formatReadyLine(host.baseUrl)}\n`);

  return new Promise<number>((resolve) => {
    onStopSignals((signal) => {
      process.stdout.write(`${signal} received: stopping the host…\n`);
      host.stop().then(
        () => resolve(ExitCode.ok),
        (err: unknown) => {
          process.stderr.write(`The host did not stop cleanly: ${toError(err).message}\n`);
          resolve(ExitCode.failed);
        },
      );
    });
  });
}

if (require.main === module) runCommand({ usage: USAGE, options: OPTIONS, run: runHost });
