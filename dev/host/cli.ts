/**
 * Runs the local Functions host like `func start`:
 *   node dist/dev/host/cli.js --app-root . [--port 7071] [--host-id <id>] [--hostname 127.0.0.1]
 * Prints the function list, then a ready line; SIGINT/SIGTERM stop it cleanly (a second signal
 * exits at once).
 */
import { parseArgs } from 'node:util';
import { HostStartupError, toError } from './errors';
import { FunctionsHost, type FunctionDescription } from './functions-host';
import { ConsoleHostLogger } from './host-logging';
import { formatReadyLine } from './ready-line';

const USAGE = 'Usage: node dist/dev/host/cli.js --app-root <folder> [--port <n>] [--host-id <id>] [--hostname <address>]';

/** Core Tools' function list: `name: [GET,POST] http://…` for HTTP, `name: timerTrigger` otherwise. */
function formatFunctionListing(functions: readonly FunctionDescription[]): string {
  if (functions.length === 0) return 'No job functions found.\n';
  const lines = functions.map((f) => (f.url ? `\t${f.name}: [${(f.methods ?? []).join(',')}] ${f.url}` : `\t${f.name}: ${f.triggerType}`));
  return `\nFunctions:\n\n${lines.join('\n\n')}\n\n`;
}

async function main(argv: string[]): Promise<number> {
  let values: { 'app-root'?: string; port?: string; 'host-id'?: string; hostname?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'app-root': { type: 'string' },
        port: { type: 'string' },
        'host-id': { type: 'string' },
        hostname: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${toError(err).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) {
      process.stderr.write(`--port must be a port number (0-65535), got '${values.port}'.\n`);
      return 2;
    }
  }

  // A signal during start-up ends the process at once: there is nothing to drain yet.
  const duringStartup = (signal: NodeJS.Signals): void => {
    process.stderr.write(`${signal} received during start-up: exiting.\n`);
    process.exit(130);
  };
  process.on('SIGINT', duringStartup);
  process.on('SIGTERM', duringStartup);

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
    return 1;
  } finally {
    process.off('SIGINT', duringStartup);
    process.off('SIGTERM', duringStartup);
  }

  process.stdout.write(formatFunctionListing(host.describeFunctions()));
  process.stdout.write(`${formatReadyLine(host.baseUrl)}\n`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write(`${signal} again: exiting without waiting.\n`);
        process.exit(1);
      }
      stopping = true;
      process.stdout.write(`${signal} received: stopping the host…\n`);
      host.stop().then(
        () => resolve(0),
        (err: unknown) => {
          process.stderr.write(`The host did not stop cleanly: ${toError(err).message}\n`);
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
    (err: unknown) => {
      process.stderr.write(`${toError(err).stack}\n`);
      process.exit(1);
    },
  );
}
