import { buffer } from 'node:stream/consumers';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, afterEach, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { TeleMessageSimulator } from '../../dev/simulators/telemessage';
import {
  ArchiveWindowError,
  TeleMessageAuthenticationError,
  TeleMessageClient,
  TeleMessageNotFoundError,
  TeleMessageStreamInterruptedError,
  TeleMessageTransientError,
  type ArchiveItem,
  type TeleMessageClientOptions,
} from '../../shared/telemessage';
import { ScenarioBuilder, TEST_PASSWORD, TEST_USERNAME, at, type AttachmentFile, type TestScenario } from './telemessage-test-scenario';
import { waitFor } from '../support/wait-for';

const WINDOW = { from: new Date(at(0)), to: new Date(at(60)) };
const RETRY = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 };

/** Everything an error exposes when logged or serialised, hidden properties and causes included. */
function serialise(error: unknown): string {
  return [String(error), (error as Error).stack, JSON.stringify(error), inspect(error, { showHidden: true, depth: Infinity })].join('\n');
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const value of iterable) result.push(value);
  return result;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('TeleMessageClient against the TeleMessage simulator', () => {
  let scenario: TestScenario;
  let sim: TeleMessageSimulator;
  /** Each answered request as the simulator logs it, with the time it was answered. */
  let answers: { line: string; atMs: number }[] = [];
  let photo: AttachmentFile;
  let recording: AttachmentFile;
  let gone: AttachmentFile;

  const client = (overrides: Partial<TeleMessageClientOptions> = {}): TeleMessageClient =>
    new TeleMessageClient({
      baseUrl: sim.url,
      username: TEST_USERNAME,
      password: TEST_PASSWORD,
      retry: RETRY,
      requestTimeoutMs: 5_000,
      addressPolicy: { allowLoopback: true },
      ...overrides,
    });

  before(async () => {
    const builder = await ScenarioBuilder.create();
    photo = await builder.attachment('att-photo-1', 300_000, 'image/jpeg');
    recording = await builder.attachment('att-recording-1', 1_500_000, 'audio/mpeg');
    gone = builder.goneAttachment('att-gone-1');
    // Seven items in the window (two sharing an archivedAt, to check ordering by id), one before and one after it.
    builder
      .item({ id: 'tm-before', product: 'att-network', archivedAt: '2026-11-20T13:59:59Z' })
      .item({ id: 'tm-g', product: 'att-network', archivedAt: at(50) })
      .item({ id: 'tm-b', product: 'att-network', archivedAt: at(5), attachments: [photo] })
      .item({ id: 'tm-a', product: 'att-network', archivedAt: at(1) })
      .item({ id: 'tm-d2', product: 'att-network', archivedAt: at(20) })
      .item({ id: 'tm-d1', product: 'att-network', archivedAt: at(20) })
      .item({ id: 'tm-e', product: 'att-network', archivedAt: at(30), attachments: [gone] })
      .item({ id: 'tm-f', product: 'att-network', archivedAt: at(40) })
      .item({ id: 'tm-at-end', product: 'att-network', archivedAt: at(60) })
      .item({ id: 'wc-1', product: 'wechat', archivedAt: at(10), attachments: [recording] });
    scenario = await builder.write();
    sim = await TeleMessageSimulator.start({
      scenarioDir: scenario.dir,
      port: 0,
      log: (line) => answers.push({ line, atMs: performance.now() }),
    });
  });

  after(async () => {
    await sim.stop();
    await scenario.remove();
  });

  afterEach(() => {
    sim.faults.clear();
    sim.stats.reset();
    answers = [];
  });

  const expectedOrder = ['tm-a', 'tm-b', 'tm-d1', 'tm-d2', 'tm-e', 'tm-f', 'tm-g'];

  test('paging over several pages returns every item of the window once, in (archivedAt, id) order', async () => {
    const pages = await collect(client().listItems('att-network', WINDOW, { limit: 3 }).byPage());
    assert.deepEqual(pages.map((p) => p.items.map((i) => i.id)), [['tm-a', 'tm-b', 'tm-d1'], ['tm-d2', 'tm-e', 'tm-f'], ['tm-g']]);
    assert.equal(typeof pages[0]?.continuationToken, 'string');
    assert.equal(pages[2]?.continuationToken, undefined);
    assert.equal(sim.stats.requests('list'), 3);
    assert.equal(sim.stats.requests('token'), 1, 'one token serves every page');

    const items = await collect(client().listItems('att-network', WINDOW, { limit: 2 }));
    assert.deepEqual(items.map((i) => i.id), expectedOrder);
    // Fields are kept as TeleMessage sent them.
    assert.equal((items[1] as ArchiveItem & { attachments: unknown[] }).attachments.length, 1);
  });

  test('a listing resumes from a page continuation token', async () => {
    const source = client();
    const [first] = await collect(source.listItems('att-network', WINDOW, { limit: 4 }).byPage());
    const firstPages = await collect(source.listItems('att-network', WINDOW, { limit: 4 }).byPage());
    const rest = await collect(
      source.listItems('att-network', WINDOW, { limit: 4 }).byPage({ continuationToken: firstPages[0]?.continuationToken }),
    );
    assert.deepEqual(first?.items.map((i) => i.id), expectedOrder.slice(0, 4));
    assert.deepEqual(rest.flatMap((p) => p.items.map((i) => i.id)), expectedOrder.slice(4));
  });

  test('a bad window or limit is refused before any request', () => {
    const source = client();
    assert.throws(() => source.listItems('att-network', { from: WINDOW.to, to: WINDOW.from }), ArchiveWindowError);
    assert.throws(() => source.listItems('att-network', { from: WINDOW.from, to: WINDOW.from }), ArchiveWindowError);
    const thirtyOneDaysAndASecond = new Date(WINDOW.from.getTime() + (31 * 86_400 + 1) * 1000);
    assert.throws(() => source.listItems('att-network', { from: WINDOW.from, to: thirtyOneDaysAndASecond }), /longer than 31 days/);
    assert.throws(() => source.listItems('att-network', WINDOW, { limit: 501 }), RangeError);
    assert.throws(() => source.listItems('sms' as never, WINDOW), TypeError);
    assert.equal(sim.stats.requests(), 0);
  });

  test('a window of exactly 31 days is accepted', async () => {
    const to = new Date(WINDOW.from.getTime() + 31 * 86_400_000);
    const items = await collect(client().listItems('att-network', { from: WINDOW.from, to }));
    assert.deepEqual(items.map((i) => i.id), [...expectedOrder, 'tm-at-end']);
  });

  test('429 with Retry-After is honoured: the repeat arrives no sooner than the server asked', async () => {
    sim.faults.add({ route: 'list', kind: 'status-429', retryAfterSeconds: 1 });
    const items = await collect(client().listItems('att-network', WINDOW));
    assert.deepEqual(items.map((i) => i.id), expectedOrder);
    assert.equal(sim.stats.outcomes(429, 'list'), 1);
    assert.equal(sim.stats.requests('list'), 2);
    assertWaitedAfter(/-> 429$/, 1_000);
  });

  test('503 with Retry-After is honoured on an attachment download', async () => {
    sim.faults.add({ route: 'attachment', kind: 'status-503', retryAfterSeconds: 1 });
    const download = await client().openAttachment('att-network', photo.id);
    assert.equal(sha256(await buffer(download.stream)), photo.sha256);
    assert.equal(sim.stats.outcomes(503, 'attachment'), 1);
    assert.equal(sim.stats.requests('attachment'), 2);
    assertWaitedAfter(/-> 503$/, 1_000);
  });

  /**
   * The time between the simulator answering the throttled request and answering the next one,
   * as recorded by the simulator's own request log. Timers are millisecond-granular, hence 2 ms.
   */
  function assertWaitedAfter(throttled: RegExp, retryAfterMs: number): void {
    const index = answers.findIndex((a) => throttled.test(a.line));
    assert.ok(index >= 0 && index + 1 < answers.length, `expected a throttled answer followed by another: ${answers.map((a) => a.line).join(' | ')}`);
    const gap = (answers[index + 1] as { atMs: number }).atMs - (answers[index] as { atMs: number }).atMs;
    assert.ok(gap >= retryAfterMs - 2, `repeated after ${gap.toFixed(1)} ms, Retry-After asked for ${retryAfterMs} ms`);
  }

  test('500, a reset connection and a truncated JSON body are retried', async () => {
    sim.faults.add({ route: 'list', kind: 'status-500' });
    sim.faults.add({ route: 'list', kind: 'reset' });
    sim.faults.add({ route: 'list', kind: 'truncate' });
    const items = await collect(client().listItems('att-network', WINDOW));
    assert.deepEqual(items.map((i) => i.id), expectedOrder);
    assert.equal(sim.stats.outcomes(500, 'list'), 1);
    assert.equal(sim.stats.outcomes('reset', 'list'), 1);
    assert.equal(sim.stats.outcomes('truncated', 'list'), 1);
    assert.equal(sim.stats.outcomes(200, 'list'), 1);
  });

  test('a truncated or reset token request is retried too', async () => {
    sim.faults.add({ route: 'token', kind: 'truncate' });
    sim.faults.add({ route: 'token', kind: 'reset' });
    await client().verifyConnection();
    assert.equal(sim.stats.requests('token'), 3);
    assert.equal(sim.stats.outcomes(200, 'token'), 1);
  });

  test('when transient failures outlast maxAttempts, TeleMessageTransientError names the operation, path and cause, and no secret', async () => {
    const authorizations: string[] = [];
    // Watch the request headers the client's undici sends, to know the bearer token it used.
    const onHeaders = (message: unknown): void => {
      const auth = /^authorization: (Bearer \S+)\r$/im.exec((message as { headers: string }).headers);
      if (auth?.[1] !== undefined) authorizations.push(auth[1]);
    };
    subscribe('undici:client:sendHeaders', onHeaders);
    try {
      sim.faults.add({ route: 'list', kind: 'status-500', times: Infinity });
      const error = await client()
        .listItems('att-network', WINDOW)
        .next()
        .then(
          () => assert.fail('expected a failure'),
          (e: unknown) => e,
        );
      assert.ok(error instanceof TeleMessageTransientError);
      assert.equal(error.attempts, RETRY.maxAttempts);
      assert.equal(error.operation, 'listItems');
      assert.equal(error.path, '/api/v1/archive/att-network/items');
      assert.equal(error.status, 500);
      assert.equal(error.retryable, true);
      assert.match(error.message, /listItems \/api\/v1\/archive\/att-network\/items failed after 4 attempts; last cause: HTTP 500/);
      assert.equal(sim.stats.requests('list'), RETRY.maxAttempts);
      assert.ok(authorizations.length > 0);
      const text = serialise(error);
      assert.ok(!text.includes(TEST_PASSWORD), 'password leaked');
      for (const auth of authorizations) assert.ok(!text.includes(auth.slice('Bearer '.length)), 'token leaked');
    } finally {
      unsubscribe('undici:client:sendHeaders', onHeaders);
    }
  });

  test('resets until the budget is spent name the socket-level cause', async () => {
    sim.faults.add({ route: 'attachment', kind: 'reset', times: Infinity });
    const error = await client()
      .openAttachment('att-network', photo.id)
      .then(
        () => assert.fail('expected a failure'),
        (e: unknown) => e,
      );
    assert.ok(error instanceof TeleMessageTransientError);
    assert.match(error.message, /openAttachment \/api\/v1\/archive\/att-network\/attachments\/att-photo-1 failed after 4 attempts; last cause: fetch failed/);
    assert.equal(sim.stats.outcomes('reset', 'attachment'), RETRY.maxAttempts);
  });

  test('a token that expires early is replaced once and the call repeated', async () => {
    const source = client();
    await collect(source.listItems('att-network', WINDOW));
    assert.equal(sim.stats.requests('token'), 1);
    sim.faults.add({ route: 'list', kind: 'expire-token' });
    const items = await collect(source.listItems('att-network', WINDOW));
    assert.deepEqual(items.map((i) => i.id), expectedOrder);
    assert.equal(sim.stats.requests('token'), 2, 'exactly one new token');
    assert.equal(sim.stats.outcomes(401, 'list'), 1);
  });

  test('a token refused again right after a refresh is not refreshed a second time', async () => {
    sim.faults.add({ route: 'attachment', kind: 'expire-token', times: 2 });
    await assert.rejects(client().openAttachment('att-network', photo.id), (error: unknown) => {
      assert.ok(error instanceof TeleMessageAuthenticationError);
      assert.match(error.message, /token_expired twice/);
      return true;
    });
    assert.equal(sim.stats.requests('token'), 2);
    assert.equal(sim.stats.requests('attachment'), 2);
  });

  test('a token issued already expired by the token endpoint is replaced once', async () => {
    sim.faults.add({ route: 'token', kind: 'expire-token' });
    const items = await collect(client().listItems('att-network', WINDOW));
    assert.equal(items.length, expectedOrder.length);
    assert.equal(sim.stats.requests('token'), 2);
  });

  test('invalid credentials are final, and the password appears nowhere in the error', async () => {
    const source = client({ password: `${TEST_PASSWORD}-wrong` });
    for (const attempt of [() => source.verifyConnection(), () => collect(source.listItems('att-network', WINDOW))]) {
      const error = await attempt().then(
        () => assert.fail('expected a failure'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof TeleMessageAuthenticationError);
      assert.equal(error.reason, 'authentication');
      assert.equal(error.retryable, false);
      assert.equal(error.status, 401);
      assert.match(error.message, /invalid_credentials/);
      const text = serialise(error);
      assert.ok(!text.includes(TEST_PASSWORD), 'password leaked');
    }
    assert.equal(sim.stats.requests('token'), 2, 'one token request per call, none repeated');
    assert.equal(sim.stats.requests('list'), 0);
    // The client object itself does not show the password either.
    assert.ok(!inspect(source, { showHidden: true, depth: Infinity }).includes(TEST_PASSWORD));
    assert.ok(!JSON.stringify(source).includes(TEST_PASSWORD));
  });

  test('verifyConnection accepts good credentials', async () => {
    await client().verifyConnection();
    assert.equal(sim.stats.outcomes(200, 'token'), 1);
  });

  test('an attachment is streamed whole, with its type and size', async () => {
    const download = await client().openAttachment('wechat', recording.id);
    assert.equal(download.contentType, 'audio/mpeg');
    assert.equal(download.contentLength, recording.size);
    assert.equal(download.totalSize, recording.size);
    const bytes = await buffer(download.stream);
    assert.equal(bytes.length, recording.size);
    assert.equal(sha256(bytes), recording.sha256);
  });

  test('a 404 attachment is final and not retried', async () => {
    await assert.rejects(client().openAttachment('att-network', gone.id), (error: unknown) => {
      assert.ok(error instanceof TeleMessageNotFoundError);
      assert.equal(error.retryable, false);
      assert.equal(error.path, '/api/v1/archive/att-network/attachments/att-gone-1');
      return true;
    });
    assert.equal(sim.stats.requests('attachment'), 1);
  });

  test('a body cut short mid-way fails the stream as resumable, and a Range request from the offset reached completes it', async () => {
    sim.faults.add({ route: 'attachment', kind: 'truncate' });
    const source = client();
    const first = await source.openAttachment('wechat', recording.id);
    const received: Buffer[] = [];
    const error = await (async () => {
      try {
        for await (const chunk of first.stream) received.push(chunk as Buffer);
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    assert.ok(error instanceof TeleMessageStreamInterruptedError, `got ${String(error)}`);
    assert.equal(error.retryable, true);
    const got = Buffer.concat(received);
    assert.ok(got.length > 0 && got.length < recording.size);
    assert.ok(error.bytesReceived >= got.length);

    const rest = await source.openAttachment('wechat', recording.id, { offset: got.length });
    assert.equal(rest.offset, got.length);
    assert.equal(rest.totalSize, recording.size);
    assert.equal(rest.contentLength, recording.size - got.length);
    const whole = Buffer.concat([got, await buffer(rest.stream)]);
    assert.equal(sha256(whole), recording.sha256);
    assert.equal(sim.stats.outcomes('truncated', 'attachment'), 1);
    assert.equal(sim.stats.outcomes(206, 'attachment'), 1);
  });

  test('aborting stops a waiting call with the signal’s reason', async () => {
    sim.faults.add({ route: 'list', kind: 'status-503', retryAfterSeconds: 30 });
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    const pending = collect(client().listItems('att-network', WINDOW, { signal: controller.signal }));
    // Abort once the throttled answer has arrived, while the client waits out Retry-After.
    await waitFor('the throttled answer', () => (sim.stats.outcomes(503, 'list') > 0 ? true : undefined));
    controller.abort(reason);
    await assert.rejects(pending, (error: unknown) => error === reason);
    assert.equal(sim.stats.requests('list'), 1);
  });
});
