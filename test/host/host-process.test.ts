/**
 * The CLI host in a child process, as dev commands and end-to-end tests run it: the function
 * list, a crash (SIGKILL) that misses a timer occurrence, the admin API and a clean SIGTERM stop.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import { HostProcess, HostProcessError } from '../../dev/host';
import { HOSTS_CONTAINER, timerStatusBlobName } from '../../dev/host/schedule-status-store';
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
    // Let the occurrence the killed host had scheduled (its stored Next) pass while no host runs.
    const status = BlobServiceClient.fromConnectionString(azurite.connectionString)
      .getContainerClient(HOSTS_CONTAINER)
      .getBlockBlobClient(timerStatusBlobName('host-process-test', 'tick'));
    const next = Date.parse((JSON.parse((await status.downloadToBuffer()).toString('utf8')) as { Next: string }).Next);
    await waitFor('the missed occurrence to pass', () => (Date.now() > next ? true : undefined));

    // The restarted host runs on a yearly schedule, so only the missed occurrence can run now.
    const second = await start({ HOST_TEST_TICK_SCHEDULE: YEARLY });
    const [pastDue] = await waitFor('the past-due run after the restart', () => {
      const later = readTimerRecords(app.recordDir, 'tick').slice(beforeRestart);
      return later.length > 0 ? later : undefined;
    });
    assert.equal(pastDue!.timer.isPastDue, true);
    await second.waitForOutput(/Trigger Details: UnscheduledInvocationReason: IsPastDue/);

    await second.fireFunction('gate');
    await second.waitForDrained({ timeoutMs: 60_000, settleMs: 0 });
    assert.deepEqual(
      readTimerRecords(app.recordDir, 'gate').map((r) => r.phase),
      ['started', 'finished'],
    );
    await assert.rejects(second.fireFunction('missing'), (err: Error) => err instanceof HostProcessError && /answered 404/.test(err.message));

    assert.equal(await second.stop(), 0);
    assert.ok(second.output.some((l) => l.includes('SIGTERM received: stopping the host')));
  });

  test('a timer with a bad schedule is listed in error while the others run; a start-up error ends the process with the reason', async () => {
    const host = await start({ HOST_TEST_TICK_SCHEDULE: '*/5 * * *' });
    const listing = host.output.indexOf('\ttick: timerTrigger');
    assert.ok(listing >= 0, host.output.join('\n'));
    assert.match(host.output[listing + 1] ?? '', /^\t\tIn error: The schedule '\*\/5 \* \* \*' of timer function 'tick' is invalid/);
    assert.ok(host.output.some((l) => /The 'tick' function is in error: /.test(l)));
    await host.fireFunction('gate');
    await host.waitForDrained({ timeoutMs: 60_000, settleMs: 0 });
    assert.ok(host.output.some((l) => /Executed 'Functions\.gate' \(Succeeded/.test(l)));

    // A second host on the same port cannot start: the process ends, naming why.
    const second = HostProcess.start({ appRoot: app.appRoot, hostId: 'host-process-test', port: host.port }).then((h) => (hosts.push(h), h));
    await assert.rejects(second, (err: Error) => {
      assert.ok(err instanceof HostProcessError);
      assert.match(err.message, /before it was ready/);
      assert.match(err.message, new RegExp(`Port ${host.port} is unavailable`));
      return true;
    });
    assert.equal(await host.stop(), 0);
  });
});
