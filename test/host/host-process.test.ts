/**
 * The CLI host in a child process, as dev commands and end-to-end tests run it: the function
 * list, a crash (SIGKILL) that misses a timer occurrence, the admin API and a clean SIGTERM stop.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import { HostProcess, HostProcessError } from '../../dev/host/host-process';
import { createTestApp, readTimerRecords, waitFor, YEARLY, type TestApp } from './host-test-app';

describe('HostProcess and the host CLI', () => {
  let azurite: TestAzurite;
  let app: TestApp;
  const hosts: HostProcess[] = [];

  before(async () => {
    azurite = await startTestAzurite();
    app = createTestApp({
      values: {
        AzureWebJobsStorage: azurite.connectionString,
        HOST_TEST_TICK_SCHEDULE: '* * * * * *',
        HOST_TEST_TICK_USE_MONITOR: 'true',
        HOST_TEST_OUT_QUEUE: 'host-process-out',
      },
    });
  });

  after(async () => {
    for (const host of hosts) await host.kill();
    await azurite?.stop();
    app?.remove();
  });

  async function start(env: Record<string, string> = {}): Promise<HostProcess> {
    const host = await HostProcess.start({ appRoot: app.appRoot, hostId: 'host-process-test', env });
    hosts.push(host);
    return host;
  }

  test('prints the function list, survives a crash and runs the missed occurrence past due, stops on SIGTERM', async () => {
    const first = await start();
    assert.ok(first.output.includes('\ttick: timerTrigger'), first.output.join('\n'));
    assert.ok(first.output.includes(`\techo: [GET,POST] http://localhost:${first.port}/api/items/{category}/{id?}`));

    await waitFor('a scheduled tick', () => (readTimerRecords(app.recordDir, 'tick').length > 0 ? true : undefined));
    await first.kill();
    const beforeRestart = readTimerRecords(app.recordDir, 'tick').length;
    // Let at least one occurrence pass while no host runs.
    await delay(1_200);

    // The restarted host runs on a yearly schedule, so only the missed occurrence can run now.
    const second = await start({ HOST_TEST_TICK_SCHEDULE: YEARLY });
    const [pastDue] = await waitFor('the past-due run after the restart', () => {
      const later = readTimerRecords(app.recordDir, 'tick').slice(beforeRestart);
      return later.length > 0 ? later : undefined;
    });
    assert.equal(pastDue!.timer.isPastDue, true);
    await second.waitForOutput(/Trigger Details: UnscheduledInvocationReason: IsPastDue/);

    await second.fireFunction('gate');
    await second.waitForDrained({ timeoutMs: 10_000, settleMs: 100 });
    assert.deepEqual(
      readTimerRecords(app.recordDir, 'gate').map((r) => r.phase),
      ['started', 'finished'],
    );
    await assert.rejects(second.fireFunction('missing'), (err: Error) => err instanceof HostProcessError && /answered 404/.test(err.message));

    assert.equal(await second.stop(), 0);
    assert.ok(second.output.some((l) => l.includes('SIGTERM received: stopping the host')));
  });

  test('a start-up error ends the process with the reason', async () => {
    await assert.rejects(start({ HOST_TEST_TICK_SCHEDULE: '*/5 * * *' }), (err: Error) => {
      assert.ok(err instanceof HostProcessError);
      assert.match(err.message, /before it was ready/);
      assert.match(err.message, /The schedule '\*\/5 \* \* \*' of timer function 'tick' is invalid/);
      return true;
    });
  });
});
