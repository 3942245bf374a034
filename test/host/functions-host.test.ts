/**
 * The host core in process: the real @azure/functions library registers the test app through
 * our @azure/functions-core, and invocations go through the library's invocation model.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import type { InvocationOutcome } from '../../dev/host/contracts';
import { FunctionsHost, HostStartupError, InvocationRefusedError } from '../../dev/host';
import { MemoryHostLogger } from '../../dev/host/host-logging';
import { HOSTS_CONTAINER, NEVER_RUN, timerStatusBlobName } from '../../dev/host/schedule-status-store';
import { azureFunctionsRequire, createTestApp, GATE_FILE, readTimerRecords, waitFor, YEARLY, type TestApp } from './host-test-app';

const OUT_QUEUE = 'host-test-out';

describe('FunctionsHost', () => {
  let azurite: TestAzurite;
  const apps: TestApp[] = [];

  before(async () => {
    azurite = await startTestAzurite();
  });

  after(async () => {
    await azurite?.stop();
    for (const app of apps) app.remove();
  });

  interface Started {
    host: FunctionsHost;
    app: TestApp;
    logger: MemoryHostLogger;
    hostId: string;
  }

  function testApp(values: Record<string, string | undefined> = {}, extra: Parameters<typeof createTestApp>[0] = {}): TestApp {
    const merged: Record<string, string | undefined> = {
      AzureWebJobsStorage: azurite.connectionString,
      HOST_TEST_TICK_SCHEDULE: YEARLY,
      HOST_TEST_OUT_QUEUE: OUT_QUEUE,
      ...values,
    };
    const defined = Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined));
    const app = createTestApp({ ...extra, values: defined });
    apps.push(app);
    return app;
  }

  async function startHost(app: TestApp, hostId = `core-${randomUUID().slice(0, 8)}`): Promise<Started> {
    const logger = new MemoryHostLogger();
    const host = await FunctionsHost.start({ appRoot: app.appRoot, port: 0, hostId, logger });
    return { host, app, logger, hostId };
  }

  async function readStatusBlob(hostId: string, functionName: string): Promise<Record<string, string> | undefined> {
    const blob = BlobServiceClient.fromConnectionString(azurite.connectionString)
      .getContainerClient(HOSTS_CONTAINER)
      .getBlockBlobClient(timerStatusBlobName(hostId, functionName));
    if (!(await blob.exists())) return undefined;
    return JSON.parse((await blob.downloadToBuffer()).toString('utf8')) as Record<string, string>;
  }

  test('fires a timer on its six-field schedule with the timer input the library camel-cases', async () => {
    const { host, app, logger } = await startHost(testApp({ HOST_TEST_TICK_SCHEDULE: '* * * * * *' }));
    try {
      const records = await waitFor('two scheduled ticks', () => {
        const r = readTimerRecords(app.recordDir, 'tick');
        return r.length >= 2 ? r : undefined;
      });
      // Schedules under a minute apart are not monitored by default, so no status is sent.
      assert.deepEqual(records[0]!.timer, { schedule: { adjustForDST: true }, scheduleStatus: null, isPastDue: false });
      const firstRun = Date.parse(records[0]!.at);
      const secondRun = Date.parse(records[1]!.at);
      assert.ok(Math.floor(secondRun / 1000) > Math.floor(firstRun / 1000), 'the two runs belong to different one-second occurrences');
      assert.match(logger.text, /Executing 'Functions\.tick' \(Reason='Timer fired at \d{4}-\d\d-\d\dT[\d:.]+Z', Id=[0-9a-f-]{36}\)/);
      assert.match(logger.text, /Executed 'Functions\.tick' \(Succeeded, Id=[0-9a-f-]{36}, Duration=\d+ms\)/);
      assert.match(logger.text, /\[tick\] tick isPastDue=false/);
      assert.match(logger.text, /The next 5 occurrences of the 'Functions\.tick' schedule \(Cron: '\* \* \* \* \* \*'\) will be:/);
    } finally {
      await host.stop();
    }
    const afterStop = readTimerRecords(app.recordDir, 'tick').length;
    // What is under test is a wall-clock schedule: two of its one-second occurrences come and go
    // with the host stopped, and no run is recorded. (No event can say "a timer did not fire".)
    const secondOccurrenceAfterStop = (Math.floor(Date.now() / 1000) + 2) * 1000;
    await waitFor('two occurrences to pass', () => (Date.now() > secondOccurrenceAfterStop ? true : undefined));
    assert.equal(readTimerRecords(app.recordDir, 'tick').length, afterStop, 'a stopped host fires no more timers');
  });

  test('runs a runOnStartup timer once at start, with a fresh schedule status', async () => {
    const { host, app, logger, hostId } = await startHost(testApp({ HOST_TEST_TICK_RUN_ON_STARTUP: 'true' }));
    try {
      const [record] = await waitFor('the start-up run', () => {
        const r = readTimerRecords(app.recordDir, 'tick');
        return r.length >= 1 ? r : undefined;
      });
      await host.waitForDrained({ timeoutMs: 60_000, settleMs: 0 });
      assert.equal(record!.timer.isPastDue, false);
      const status = record!.timer.scheduleStatus;
      assert.equal(status.last, NEVER_RUN);
      const nextNewYear = Date.UTC(new Date().getUTCFullYear() + 1, 0, 1);
      assert.equal(Date.parse(status.next), nextNewYear);
      assert.match(logger.text, /Trigger Details: UnscheduledInvocationReason: RunOnStartup/);
      assert.equal(readTimerRecords(app.recordDir, 'tick').length, 1);
      // The start-up run moved the persisted status on.
      const stored = await readStatusBlob(hostId, 'tick');
      assert.ok(stored);
      assert.notEqual(stored['Last'], NEVER_RUN);
      assert.equal(Date.parse(stored['Next']!), nextNewYear);
    } finally {
      await host.stop();
    }
  });

  test('after a restart that missed an occurrence, runs it once at start with IsPastDue', async () => {
    // A yearly schedule, so that no occurrence comes while the test runs: with a schedule every
    // minute, a restart in a minute's last seconds saw the next occurrence overwrite the status
    // before the test read it (and Next was compared with the wall clock).
    const app = testApp({ HOST_TEST_TICK_SCHEDULE: YEARLY });
    const hostId = `pastdue-${randomUUID().slice(0, 8)}`;
    // What a host that stopped before this New Year, and has not run since, left behind.
    const year = new Date().getUTCFullYear();
    const lastRun = new Date(Date.UTC(year - 1, 0, 1));
    const missed = new Date(Date.UTC(year, 0, 1));
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(HOSTS_CONTAINER);
    await container.createIfNotExists();
    const status = JSON.stringify({ Last: lastRun.toISOString(), Next: missed.toISOString(), LastUpdated: lastRun.toISOString() });
    await container.getBlockBlobClient(timerStatusBlobName(hostId, 'tick')).upload(status, status.length);

    const { host, logger } = await startHost(app, hostId);
    try {
      const [record] = await waitFor('the past-due run', () => {
        const r = readTimerRecords(app.recordDir, 'tick');
        return r.length >= 1 ? r : undefined;
      });
      assert.equal(record!.timer.isPastDue, true);
      assert.equal(Date.parse(record!.timer.scheduleStatus.last), lastRun.getTime());
      assert.equal(Date.parse(record!.timer.scheduleStatus.next), missed.getTime());
      assert.match(logger.text, new RegExp(`Trigger Details: UnscheduledInvocationReason: IsPastDue, OriginalSchedule: ${missed.toISOString()}`));

      const stored = await waitFor('the status update after the run', async () => {
        const s = await readStatusBlob(hostId, 'tick');
        return s && Date.parse(s['Last']!) === missed.getTime() ? s : undefined;
      });
      assert.equal(Date.parse(stored['Next']!), Date.UTC(year + 1, 0, 1), 'Next moved to the occurrence after the restart');
      assert.equal(readTimerRecords(app.recordDir, 'tick').filter((r) => r.timer.isPastDue).length, 1);
    } finally {
      await host.stop();
    }
  });

  test('fires a function on demand through the admin API; drained is false while it runs', async () => {
    const app = testApp();
    fs.writeFileSync(path.join(app.recordDir, GATE_FILE), '');
    const { host } = await startHost(app);
    const outcomes: InvocationOutcome[] = [];
    host.invocations.on('invocation', (o) => outcomes.push(o));
    try {
      const status = await fetch(`${host.baseUrl}/admin/host/status`);
      assert.equal(status.status, 200);
      assert.equal(((await status.json()) as { state: string }).state, 'Running');
      await host.waitForDrained({ timeoutMs: 60_000, settleMs: 0 });

      const fired = await fetch(`${host.baseUrl}/admin/functions/gate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: '' }),
      });
      assert.equal(fired.status, 202);
      await waitFor('the gate run to start', () => (readTimerRecords(app.recordDir, 'gate').length > 0 ? true : undefined));
      assert.equal(await host.isDrained(), false);
      const drainedWhileRunning = await fetch(`${host.baseUrl}/admin/host/drained`);
      assert.deepEqual(await drainedWhileRunning.json(), { drained: false });

      fs.rmSync(path.join(app.recordDir, GATE_FILE));
      await host.waitForDrained({ timeoutMs: 60_000, settleMs: 0 });
      assert.equal(await host.isDrained(), true);
      assert.deepEqual(await (await fetch(`${host.baseUrl}/admin/host/drained`)).json(), { drained: true });
      assert.deepEqual(
        readTimerRecords(app.recordDir, 'gate').map((r) => [r.phase, r.timer.isPastDue]),
        [
          ['started', false],
          ['finished', false],
        ],
      );
      assert.deepEqual(
        outcomes.map((o) => [o.functionName, o.succeeded]),
        [['gate', true]],
      );

      const tick = await host.fireTimer('tick');
      assert.equal(tick.succeeded, true);
      assert.equal(readTimerRecords(app.recordDir, 'tick').length, 1);

      const unknown = await fetch(`${host.baseUrl}/admin/functions/nope`, { method: 'POST', body: '{"input":""}' });
      assert.equal(unknown.status, 404);
      const http = await fetch(`${host.baseUrl}/admin/functions/echo`, { method: 'POST', body: '{"input":""}' });
      assert.equal(http.status, 400);
    } finally {
      await host.stop();
    }
  });

  test('serves HTTP functions: route parameters, query, headers, body and the response', async () => {
    const { host, logger } = await startHost(testApp());
    const outcomes: InvocationOutcome[] = [];
    host.invocations.on('invocation', (o) => outcomes.push(o));
    try {
      const get = await fetch(`${host.baseUrl}/api/items/books/42?q=azure&page=2`, { headers: { 'x-test': 'hello' } });
      assert.equal(get.status, 201);
      assert.equal(get.headers.get('x-echo'), 'yes');
      assert.match(get.headers.get('set-cookie') ?? '', /^seen=1; Path=\/; HttpOnly/);
      assert.deepEqual(await get.json(), {
        method: 'GET',
        url: `${host.baseUrl}/api/items/books/42?q=azure&page=2`,
        params: { category: 'books', id: '42' },
        query: { q: 'azure', page: '2' },
        header: 'hello',
        body: '',
      });

      const post = await fetch(`${host.baseUrl}/API/Items/books%20new`, { method: 'POST', body: 'päyload', headers: { 'content-type': 'text/plain' } });
      assert.equal(post.status, 201);
      const posted = (await post.json()) as { params: Record<string, string>; body: string; method: string };
      assert.deepEqual(posted.params, { category: 'books new' });
      assert.equal(posted.body, 'päyload');
      assert.equal(posted.method, 'POST');

      assert.equal((await fetch(`${host.baseUrl}/api/items/books`, { method: 'PUT' })).status, 404);
      assert.equal((await fetch(`${host.baseUrl}/api/unknown`)).status, 404);
      // /admin leads to an app's admin page only when it has one (admin/ui/{*path}); this app has none.
      assert.equal((await fetch(`${host.baseUrl}/admin`, { redirect: 'manual' })).status, 404);

      const boom = await fetch(`${host.baseUrl}/api/boom`);
      assert.equal(boom.status, 500);
      const failed = outcomes.find((o) => o.functionName === 'boom');
      assert.equal(failed?.succeeded, false);
      assert.equal(failed?.error?.message, 'boom from the test app');
      assert.match(logger.text, /Executed 'Functions\.boom' \(Failed, Id=[0-9a-f-]{36}, Duration=\d+ms\)/);
      assert.match(logger.text, /Exception while executing function: Functions\.boom\. Result: Failure\nException: boom from the test app/);
      assert.match(logger.text, /Executing 'Functions\.echo' \(Reason='This function was programmatically called via the host APIs\.'/);
    } finally {
      await host.stop();
    }
  });

  test('serves HTTP routes under host.json extensions.http.routePrefix', async () => {
    const { host } = await startHost(testApp({}, { hostJson: { version: '2.0', extensions: { http: { routePrefix: 'v1' } } } }));
    try {
      const res = await fetch(`${host.baseUrl}/v1/items/books`);
      assert.equal(res.status, 201);
      assert.deepEqual(((await res.json()) as { params: unknown }).params, { category: 'books' });
      assert.equal((await fetch(`${host.baseUrl}/api/items/books`)).status, 404);
      assert.equal(host.describeFunctions().find((f) => f.name === 'echo')?.url, `${host.baseUrl}/v1/items/{category}/{id?}`);
    } finally {
      await host.stop();
    }
  });

  test('writes queue (base64) and blob output bindings to Azurite', async () => {
    const { host } = await startHost(testApp());
    try {
      const res = await fetch(`${host.baseUrl}/api/outputs/report`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: ['first', { n: 2 }], document: { title: 'report' } }),
      });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'written');

      const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(OUT_QUEUE);
      const received = await queue.receiveMessages({ numberOfMessages: 32 });
      const texts = received.receivedMessageItems.map((m) => Buffer.from(m.messageText, 'base64').toString('utf8'));
      assert.deepEqual(texts.sort(), ['first', '{"n":2}']);

      const blob = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('host-test-out').getBlockBlobClient('report.json');
      assert.deepEqual(JSON.parse((await blob.downloadToBuffer()).toString('utf8')), { title: 'report' });
    } finally {
      await host.stop();
    }
  });

  test('runs the app hooks around invocations like the worker', async () => {
    const app = testApp(
      {},
      {
        main: 'app/index.js',
        files: {
          'app/index.js': `
const { app } = ${azureFunctionsRequire()};
const fs = require('node:fs');
const log = (line) => fs.appendFileSync(process.env.HOST_TEST_RECORD_DIR + '/hooks.log', line + '\\n');
app.hook.appStart(() => log('appStart'));
app.hook.preInvocation((ctx) => {
  ctx.hookData.pre = ctx.invocationContext.functionName;
  const original = ctx.functionHandler;
  ctx.functionHandler = (...args) => original(...args);
  ctx.inputs = [ctx.inputs[0], 'from-pre-hook'];
});
app.hook.postInvocation((ctx) => {
  if (ctx.hookData.pre !== ctx.invocationContext.functionName) throw new Error('hookData not shared');
  ctx.result = { status: 200, body: ctx.result.body + ' +post' };
});
app.hook.appTerminate(() => log('appTerminate'));
app.http('hooked', { methods: ['GET'], handler: async (request, second) => ({ body: 'handler saw ' + second }) });
`,
        },
      },
    );
    const { host } = await startHost(app);
    let stopped = false;
    try {
      const res = await fetch(`${host.baseUrl}/api/hooked`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'handler saw from-pre-hook +post');
      await host.stop();
      stopped = true;
      assert.deepEqual(fs.readFileSync(path.join(app.recordDir, 'hooks.log'), 'utf8').trim().split('\n'), ['appStart', 'appTerminate']);
    } finally {
      if (!stopped) await host.stop();
    }
  });

  test('a bad or missing schedule puts only that timer in error: it is listed with its error, never runs, and the others run', async () => {
    const cases: Array<[string | undefined, RegExp]> = [
      ['0 */5 * *', /'0 \*\/5 \* \*' of timer function 'tick' is invalid: expected six NCRONTAB fields/],
      ['0 0 25 * * *', /timer function 'tick' is invalid: the hour field '25' has 25, outside 0-23/],
      [undefined, /timer function 'tick' refers to app setting 'HOST_TEST_TICK_SCHEDULE', which is not set/],
    ];
    for (const [schedule, cause] of cases) {
      const { host, app, logger } = await startHost(testApp({ HOST_TEST_TICK_SCHEDULE: schedule, HOST_TEST_TICK_RUN_ON_STARTUP: 'true' }));
      try {
        const tick = host.describeFunctions().find((f) => f.name === 'tick');
        assert.equal(tick?.triggerType, 'timerTrigger');
        assert.match(tick?.error ?? '', cause);
        assert.match(logger.text, /The 'tick' function is in error: /);
        await assert.rejects(host.fireTimer('tick'), (err: Error) => err instanceof InvocationRefusedError && cause.test(err.message));
        await assert.rejects(host.invokeFunction('tick'), InvocationRefusedError);
        // The other timer and the HTTP functions are served as usual.
        assert.equal(host.describeFunctions().find((f) => f.name === 'gate')?.error, undefined);
        assert.equal((await host.fireTimer('gate')).succeeded, true);
        assert.equal((await fetch(`${host.baseUrl}/api/items/a`)).status, 201);
        // runOnStartup never ran the timer in error.
        assert.deepEqual(readTimerRecords(app.recordDir, 'tick'), []);
      } finally {
        await host.stop();
      }
    }
  });

  test('an unsupported binding or trigger, or no host storage, stops start-up with a clear error', async () => {
    await assert.rejects(
      startHost(
        testApp(
          {},
          {
            main: 'app.js',
            files: {
              'app.js': `const { app, input } = ${azureFunctionsRequire()};
app.http('withInput', { extraInputs: [input.storageBlob({ path: 'c/b', connection: 'AzureWebJobsStorage' })], handler: () => ({}) });`,
            },
          },
        ),
      ),
      /Input binding 'blobInput[0-9a-f]+' \(blob\) of function 'withInput' is not supported/,
    );
    await assert.rejects(
      startHost(
        testApp({}, { main: 'sb.js', files: { 'sb.js': `${azureFunctionsRequire()}.app.serviceBusQueue('fromBus', { queueName: 'q', connection: 'Bus', handler: () => {} });` } }),
      ),
      /Function 'fromBus' has a 'serviceBusTrigger' trigger, which this host does not support/,
    );
    await assert.rejects(
      startHost(testApp({ AzureWebJobsStorage: undefined })),
      (err: Error) =>
        err instanceof HostStartupError && /The storage connection setting 'AzureWebJobsStorage' is not set.* The host needs it for all triggers other than httpTrigger\./.test(err.message),
    );
    // A failed start leaves nothing behind: the environment is restored and another host can start.
    assert.equal(process.env['HOST_TEST_OUT_QUEUE'], undefined);
    const { host } = await startHost(testApp());
    await host.stop();
  });
});
