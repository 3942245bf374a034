import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LatencyModel } from '../../dev/simulators/graph';
import { EXCHANGE_LATENCY, requestKind } from '../../dev/simulators/graph/latency-model';
import { ANA, BEN, SimulatorFixture, deliveredMessage, errorCode, errorMessage, messagesPath } from './graph-simulator-fixture';

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

describe('Graph simulator: latency model', () => {
  test('samples a tailed distribution with the profile\'s median and 95th percentile', () => {
    const model = new LatencyModel({ seed: 7 });
    const samples = Array.from({ length: 20_000 }, () => model.sample('messageCreate')).sort((a, b) => a - b);
    const { medianMs, p95Ms } = EXCHANGE_LATENCY.messageCreate;
    assert.ok(Math.abs(quantile(samples, 0.5) - medianMs) / medianMs < 0.05, `median ${quantile(samples, 0.5)}`);
    assert.ok(Math.abs(quantile(samples, 0.95) - p95Ms) / p95Ms < 0.08, `p95 ${quantile(samples, 0.95)}`);
    assert.ok(samples.every((s) => s > 0), 'never negative');
    assert.ok(quantile(samples, 0.999) > 2 * p95Ms, 'a long tail beyond the 95th percentile');
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    assert.ok(Math.abs(mean - model.mean('messageCreate')) / mean < 0.05, `mean ${mean} vs ${model.mean('messageCreate')}`);
  });

  test('the same seed gives the same latencies; scale and body size change them', () => {
    const a = new LatencyModel({ seed: 3 });
    const b = new LatencyModel({ seed: 3 });
    assert.deepEqual([a.sample('uploadRange'), a.sample('folderLookup')], [b.sample('uploadRange'), b.sample('folderLookup')]);
    const fixed = new LatencyModel({ profiles: { uploadRange: { medianMs: 100, p95Ms: 100, perMiBMs: 50 } }, scale: 0.5 });
    assert.ok(Math.abs(fixed.sample('uploadRange', 4 * 1024 * 1024) - 150) < 1e-9);
    assert.throws(() => new LatencyModel({ profiles: { messageCreate: { medianMs: 300, p95Ms: 100 } } }), /latency\.profiles\.messageCreate/);
  });

  test('tells the request kinds apart', () => {
    const u = ['users', ANA.id];
    assert.equal(requestKind('POST', [...u, 'mailFolders', 'f', 'messages']), 'messageCreate');
    assert.equal(requestKind('GET', [...u, 'mailFolders', 'f', 'messages']), 'messageSearch');
    assert.equal(requestKind('POST', [...u, 'messages', 'm', 'attachments']), 'attachmentAdd');
    assert.equal(requestKind('GET', [...u, 'messages', 'm', 'attachments']), 'messageSearch');
    assert.equal(requestKind('POST', [...u, 'messages', 'm', 'attachments', 'createUploadSession']), 'uploadSessionCreate');
    assert.equal(requestKind('PUT', [], true), 'uploadRange');
    assert.equal(requestKind('GET', [...u, 'mailFolders']), 'folderLookup');
    assert.equal(requestKind('POST', [...u, 'mailFolders']), 'folderLookup');
    assert.equal(requestKind('GET', u), 'directoryLookup');
    assert.equal(requestKind('GET', ['users']), 'directoryLookup');
  });
});

describe('Graph simulator: requests held for their latency', () => {
  let f: SimulatorFixture;
  before(async () => {
    // A fixed hold (median = p95) long enough that six requests sent together surely overlap.
    f = await SimulatorFixture.start({ latency: { profiles: { messageCreate: { medianMs: 1000, p95Ms: 1000 } } } });
  });
  after(async () => {
    await f.close();
  });

  test('a fifth create while four are held answers 429 MailboxConcurrency, and the stats say so per mailbox', async () => {
    const folder = await f.createFolder(ANA.id, 'Held');
    const replies = await Promise.all(
      Array.from({ length: 6 }, (_, i) => f.call('POST', messagesPath(ANA.id, folder), deliveredMessage(`held ${i}`, `held-${i}`))),
    );
    const statuses = replies.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 201, 201, 201, 429, 429]);
    const refused = replies.find((r) => r.status === 429)!;
    assert.equal(errorCode(refused), 'ApplicationThrottled');
    assert.equal(errorMessage(refused), 'Application is over its MailboxConcurrency limit.');
    assert.equal(refused.headers.get('retry-after'), '1');

    const activity = f.sim.stats.mailbox(ANA.userPrincipalName);
    assert.ok(activity);
    assert.equal(activity.maxInFlight, 4);
    assert.equal(activity.inFlight, 0);
    assert.deepEqual(activity.throttled, { MailboxConcurrency: 2 });
    assert.equal(activity.admitted, 5, 'the folder create and four message creates');
    assert.ok(activity.meanInFlight > 0 && activity.meanInFlight <= 4);
    const snapshot = f.sim.stats.snapshot();
    assert.equal(snapshot.maxInFlightPerMailbox, 4);
    assert.deepEqual(snapshot.throttledBy, { MailboxConcurrency: 2 });
    assert.equal(snapshot.mailboxes[ANA.userPrincipalName]?.maxInFlight, 4);
    assert.equal(snapshot.mailboxes[BEN.userPrincipalName], undefined, 'a mailbox without requests is not listed');
    assert.equal(f.sim.mailbox(ANA.id)?.folders.find((x) => x.id === folder)?.messages.length, 4);
  });
});
