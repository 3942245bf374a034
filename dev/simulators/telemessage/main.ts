/**
 * Runs the TeleMessage simulator on its own, for manual work or a test in another process:
 *   node dist/dev/simulators/telemessage/main.js --scenario dev/scenarios/demo [--port 7070]
 *     [--host 127.0.0.1] [--rebase] [--live-ms 30000 --live-product att-network] [--quiet]
 */
import { parseArgs } from 'node:util';
import { TELEMESSAGE_PRODUCTS, isTeleMessageProduct } from '../../scenario/telemessage-item';
import { startLiveCapture } from './live-capture';
import { TeleMessageSimulator } from './telemessage-simulator';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string' },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      rebase: { type: 'boolean', default: false },
      'live-ms': { type: 'string' },
      'live-product': { type: 'string', default: 'att-network' },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (values.scenario === undefined) throw new Error('--scenario <folder> is required');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port} is not a port number`);
  const product = values['live-product'];
  if (!isTeleMessageProduct(product)) throw new Error(`--live-product must be one of ${TELEMESSAGE_PRODUCTS.join(', ')}`);

  const sim = await TeleMessageSimulator.start({
    scenarioDir: values.scenario,
    port,
    host: values.host,
    rebaseToNow: values.rebase,
    log: values.quiet ? undefined : (line) => console.log(`[telemessage-sim] ${line}`),
  });
  const live =
    values['live-ms'] === undefined ? undefined : startLiveCapture(sim, { intervalMs: Number(values['live-ms']), product });
  console.log(`TeleMessage simulator listening on ${sim.url}`);
  const shutdown = (): void => {
    live?.stop();
    void sim.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
