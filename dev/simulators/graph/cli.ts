import { parseArgs } from 'node:util';
import { GraphSimulator } from './graph-simulator';

const USAGE = 'usage: node dist/dev/simulators/graph/cli.js --scenario <dir> --data <dir> [--port 0] [--host 127.0.0.1] [--latency]';

/** Runs the Graph simulator on its own until SIGINT or SIGTERM. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string' },
      data: { type: 'string' },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      latency: { type: 'boolean', default: false },
    },
  });
  if (values.scenario === undefined || values.data === undefined || !/^\d+$/.test(values.port)) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const sim = await GraphSimulator.start({
    scenarioDir: values.scenario,
    dataDir: values.data,
    port: Number(values.port),
    host: values.host,
    latency: values.latency,
  });
  console.log(`Graph simulator: ${sim.url} (data in ${values.data}; faults at ${sim.origin}/_sim/faults)`);
  const shutdown = (): void => {
    sim.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
