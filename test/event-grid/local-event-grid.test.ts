/**
 * The local Event Grid against Azurite and a recording webhook: what it notices (new and
 * overwritten blobs that pass the subscription's filter), the handshake, Event Grid's retry
 * rules (scaled), dead-lettering, duplicates, out-of-order delivery and several endpoints.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { LocalEventGrid, retryDelayMs, verdictFor, type EventGridEvent, type LocalEventGridOptions } from '../../dev/event-grid';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';

interface Received {
  endpoint: string;
  deliveryCount: string | undefined;
  event: EventGridEvent;
}

/** A webhook that answers the handshake and then `answer(event, attempt)` for notifications. */
class RecordingWebhook {
  readonly received: Received[] = [];
  readonly attempts = new Map<string, number>();
  #server!: http.Server;

  constructor(readonly name: string, private readonly answer: (event: EventGridEvent, attempt: number) => number = () => 200) {}

  async start(): Promise<string> {
    this.#server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as EventGridEvent[];
        if (req.headers['aeg-event-type'] === 'SubscriptionValidation') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ validationResponse: body[0]!.data.validationCode }));
          return;
        }
        const event = body[0]!;
        const attempt = (this.attempts.get(event.id) ?? 0) + 1;
        this.attempts.set(event.id, attempt);
        this.received.push({ endpoint: this.name, deliveryCount: req.headers['aeg-delivery-count'] as string | undefined, event });
        res.writeHead(this.answer(event, attempt)).end();
      });
    });
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/runtime/webhooks/blobs?functionName=Host.Functions.x&code=k`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

describe('LocalEventGrid', () => {
  let azurite: TestAzurite;
  let blobs: BlobServiceClient;
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    azurite = await startTestAzurite();
    blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c();
    await azurite?.stop();
  });

  async function setUp(container: string, hooks: RecordingWebhook[], options: Partial<LocalEventGridOptions> = {}): Promise<{ grid: LocalEventGrid; c: ContainerClient }> {
    const c = blobs.getContainerClient(container);
    await c.createIfNotExists();
    const grid = new LocalEventGrid({ connectionString: azurite.connectionString, subscription: { container }, scanIntervalMs: 50, retryScale: 0.001, ...options });
    await grid.start();
    cleanups.push(() => grid.stop());
    for (const hook of hooks) {
      const url = await hook.start();
      cleanups.push(() => hook.stop());
      await grid.addEndpoint(url);
    }
    return { grid, c };
  }

  async function put(c: ContainerClient, name: string, body = '{}'): Promise<void> {
    await c.getBlockBlobClient(name).upload(body, Buffer.byteLength(body));
  }

  test('Event Grid rules: 200-204 delivered, 400/401/403/413 not retried, the rest retried on 10 s, 30 s, 1 min, 5 min, ...', () => {
    assert.equal(verdictFor(202), 'delivered');
    for (const status of [400, 401, 403, 413]) assert.equal(verdictFor(status), 'dead-letter');
    for (const status of [404, 408, 429, 500, 503, undefined]) assert.equal(verdictFor(status), 'retry');
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelayMs(n, 1)), [10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000, 3_600_000]);
    assert.equal(retryDelayMs(2, 0.001), 30);
  });

  test('new and overwritten blobs that pass the filter become BlobCreated events in the Event Grid schema; blobs there before the subscription do not', async () => {
    const hook = new RecordingWebhook('a');
    const c = blobs.getContainerClient('eg-filter');
    await c.createIfNotExists();
    await put(c, 'items/before.json');
    const { grid } = await setUp('eg-filter', [hook], {
      subscription: { container: 'eg-filter', subjectBeginsWith: '/blobServices/default/containers/eg-filter/blobs/items/', subjectEndsWith: '.json' },
    });
    await put(c, 'items/a.json', '{"v":1}');
    await put(c, 'items/skip.txt');
    await put(c, 'other/b.json');
    await grid.waitForIdle(20_000);
    await put(c, 'items/a.json', '{"v":2}');
    await grid.waitForIdle(20_000);
    const subjects = hook.received.map((r) => r.event.subject);
    assert.deepEqual(subjects, ['/blobServices/default/containers/eg-filter/blobs/items/a.json', '/blobServices/default/containers/eg-filter/blobs/items/a.json']);
    const [first, second] = hook.received.map((r) => r.event);
    assert.notEqual(first!.data.eTag, second!.data.eTag, 'the overwrite is a new event with the new ETag');
    assert.equal(first!.eventType, 'Microsoft.Storage.BlobCreated');
    assert.match(String(first!.data.url), /\/eg-filter\/items\/a\.json$/);
    assert.equal(first!.data.blobType, 'BlockBlob');
    assert.doesNotMatch(String(first!.data.eTag), /"/);
  });

  test('a failing webhook is retried (aeg-delivery-count counts up) until delivered; a 400 is dead-lettered at once; max attempts dead-letter', async () => {
    const hook = new RecordingWebhook('a', (event, attempt) => {
      if (event.subject.endsWith('flaky.json')) return attempt < 3 ? 500 : 200;
      if (event.subject.endsWith('refused.json')) return 400;
      return 503;
    });
    const { grid, c } = await setUp('eg-retry', [hook], { subscription: { container: 'eg-retry', maxDeliveryAttempts: 4 } });
    await put(c, 'flaky.json');
    await put(c, 'refused.json');
    await put(c, 'down.json');
    await grid.waitForIdle(20_000);
    const of = (name: string): Received[] => hook.received.filter((r) => r.event.subject.endsWith(name));
    assert.deepEqual(of('flaky.json').map((r) => r.deliveryCount), ['0', '1', '2']);
    assert.equal(of('refused.json').length, 1);
    assert.equal(of('down.json').length, 4);
    const dead = grid.deadLettered.map((d) => [d.event.subject.split('/').pop(), d.reason, d.attempts]);
    assert.deepEqual(dead.sort(), [
      ['down.json', 'MaxDeliveryAttemptsExceeded', 4],
      ['refused.json', 'NotRetriedStatus', 1],
    ]);
  });

  test('duplicates at the same instant go to different endpoints; out of order delivers newest first; late duplicates follow', async () => {
    const a = new RecordingWebhook('a');
    const b = new RecordingWebhook('b');
    const { grid, c } = await setUp('eg-dup', [a, b], { duplicates: { every: 1, sameInstant: true } });
    await put(c, 'one.json');
    await grid.waitForIdle(20_000);
    const copies = [...a.received, ...b.received].filter((r) => r.event.subject.endsWith('one.json'));
    assert.equal(copies.length, 2);
    assert.deepEqual(copies.map((r) => r.endpoint).sort(), ['a', 'b']);
    assert.equal(copies[0]!.event.id, copies[1]!.event.id, 'the same event twice');

    const late = new RecordingWebhook('late');
    const { grid: grid2, c: c2 } = await setUp('eg-order', [late], { outOfOrder: true, duplicates: { every: 1 }, scanIntervalMs: 60_000 });
    await put(c2, 'a.json');
    await put(c2, 'b.json');
    await grid2.waitForIdle(20_000);
    const names = late.received.map((r) => r.event.subject.split('/').pop());
    assert.equal(names.length, 4);
    assert.deepEqual(names.slice(0, 2), ['b.json', 'a.json'], 'newest first');
    assert.deepEqual(names.slice(2).sort(), ['a.json', 'b.json'], 'the duplicates come after both');
  });
});
