/**
 * Test function app for the host core: timer and HTTP functions registered through the real
 * `@azure/functions` API exactly as production functions are. Timer invocations append what
 * they received to `<HOST_TEST_RECORD_DIR>/<functionName>.jsonl`. Settings (read when the host
 * loads the app): HOST_TEST_TICK_SCHEDULE, HOST_TEST_TICK_RUN_ON_STARTUP, HOST_TEST_TICK_USE_MONITOR,
 * HOST_TEST_OUT_QUEUE.
 */
import { app, output, type HttpRequest, type HttpResponseInit, type InvocationContext, type Timer } from '@azure/functions';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export const HOST_TEST_RECORD_DIR = 'HOST_TEST_RECORD_DIR';
/** While this file exists in the record dir, `gate` holds its invocation open. */
export const GATE_FILE = 'gate-closed';

/** One line of a record file. */
export interface TimerRecord {
  functionName: string;
  invocationId: string;
  phase: 'invoked' | 'started' | 'finished';
  /** The timer input exactly as the handler got it. */
  timer: Timer;
  at: string;
}

function recordDir(): string {
  const dir = process.env[HOST_TEST_RECORD_DIR];
  if (!dir) throw new Error(`${HOST_TEST_RECORD_DIR} is not set`);
  return dir;
}

function record(context: InvocationContext, phase: TimerRecord['phase'], timer: Timer): void {
  const line: TimerRecord = { functionName: context.functionName, invocationId: context.invocationId, phase, timer, at: new Date().toISOString() };
  fs.appendFileSync(path.join(recordDir(), `${context.functionName}.jsonl`), `${JSON.stringify(line)}\n`);
}

const useMonitor = process.env['HOST_TEST_TICK_USE_MONITOR'];

app.timer('tick', {
  schedule: '%HOST_TEST_TICK_SCHEDULE%',
  runOnStartup: process.env['HOST_TEST_TICK_RUN_ON_STARTUP'] === 'true',
  ...(useMonitor === undefined ? {} : { useMonitor: useMonitor === 'true' }),
  handler: (timer: Timer, context: InvocationContext): void => {
    context.log(`tick isPastDue=${timer.isPastDue}`);
    record(context, 'invoked', timer);
  },
});

app.timer('gate', {
  schedule: '0 0 0 1 1 *',
  handler: async (timer: Timer, context: InvocationContext): Promise<void> => {
    record(context, 'started', timer);
    const gate = path.join(recordDir(), GATE_FILE);
    while (fs.existsSync(gate)) await delay(10);
    record(context, 'finished', timer);
  },
});

app.http('echo', {
  methods: ['GET', 'POST'],
  route: 'items/{category}/{id?}',
  handler: async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    context.log(`echo ${request.method} ${request.params['category']}`);
    return {
      status: 201,
      headers: { 'x-echo': 'yes' },
      cookies: [{ name: 'seen', value: '1', httpOnly: true, path: '/' }],
      jsonBody: {
        method: request.method,
        url: request.url,
        params: request.params,
        query: Object.fromEntries(request.query),
        header: request.headers.get('x-test'),
        body: await request.text(),
      },
    };
  },
});

const queueOutput = output.storageQueue({ queueName: '%HOST_TEST_OUT_QUEUE%', connection: 'AzureWebJobsStorage' });
const blobOutput = output.storageBlob({ path: 'host-test-out/{name}.json', connection: 'AzureWebJobsStorage' });

app.http('writeOutputs', {
  methods: ['POST'],
  route: 'outputs/{name}',
  extraOutputs: [queueOutput, blobOutput],
  handler: async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const body = (await request.json()) as { messages: unknown[]; document: unknown };
    context.extraOutputs.set(queueOutput, body.messages);
    context.extraOutputs.set(blobOutput, body.document);
    return { body: 'written' };
  },
});

app.http('boom', {
  methods: ['GET'],
  route: 'boom',
  handler: (): HttpResponseInit => {
    throw new Error('boom from the test app');
  },
});
