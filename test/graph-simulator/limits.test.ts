import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ANA, BEN, SimulatorFixture, TEST_TOKEN, errorCode, errorMessage, messagesPath } from './graph-simulator-fixture';

/** A POST whose body stays open until `release()`, so the request stays in progress on the server. */
function heldPost(url: string): { response: Promise<Response>; release: () => void } {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode('{"subject":'));
      await gate;
      controller.enqueue(encoder.encode('"held"}'));
      controller.close();
    },
  });
  const init = {
    method: 'POST',
    headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/json' },
    body,
    duplex: 'half',
  };
  return { response: fetch(url, init as RequestInit), release };
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i += 1) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
    if (i > 100) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('Graph simulator: mailbox concurrency', () => {
  let f: SimulatorFixture;
  before(async () => {
    f = await SimulatorFixture.start();
  });
  after(async () => {
    await f.close();
  });

  test('a fifth concurrent request on one mailbox is 429 ApplicationThrottled with Retry-After', async () => {
    const url = `${f.sim.url}${messagesPath(ANA.id, 'inbox')}`;
    const held = [heldPost(url), heldPost(url), heldPost(url), heldPost(url)];
    await waitFor(() => f.sim.stats.inFlight(ANA.userPrincipalName) === 4, 'four requests in progress');

    const fifth = await f.call('GET', `/users/${ANA.id}/mailFolders`);
    assert.equal(fifth.status, 429);
    assert.equal(errorCode(fifth), 'ApplicationThrottled');
    assert.match(errorMessage(fifth), /MailboxConcurrency/);
    assert.match(fifth.headers.get('retry-after') ?? '', /^\d+$/);
    assert.ok(Number(fifth.headers.get('retry-after')) >= 1);

    const otherMailbox = await f.call('GET', `/users/${BEN.id}/mailFolders`);
    assert.equal(otherMailbox.status, 200, 'the limit is per mailbox');
    const directory = await f.call('GET', `/users/${ANA.id}`);
    assert.equal(directory.status, 200, 'directory look-ups are not mailbox requests');

    for (const h of held) h.release();
    const statuses = await Promise.all(held.map(async (h) => (await h.response).status));
    assert.deepEqual(statuses, [201, 201, 201, 201]);
    assert.equal(f.sim.stats.inFlight(ANA.id), 0);

    const afterwards = await f.call('GET', `/users/${ANA.id}/mailFolders`);
    assert.equal(afterwards.status, 200);
    assert.equal(f.sim.stats.snapshot().throttled, 1);
  });
});

describe('Graph simulator: request and upload budgets', () => {
  let clock = Date.parse('2025-01-01T00:00:00Z');
  let f: SimulatorFixture;
  before(async () => {
    f = await SimulatorFixture.start({
      now: () => clock,
      limits: { requestsPer10Min: 5, uploadBytesPer5Min: 10_000 },
    });
  });
  after(async () => {
    await f.close();
  });

  test('the request budget per 10 minutes answers 429 with the seconds until a request leaves the window', async () => {
    const folders = `/users/${BEN.id}/mailFolders`;
    for (let i = 0; i < 5; i += 1) assert.equal((await f.call('GET', folders)).status, 200, `request ${i + 1}`);
    const over = await f.call('GET', folders);
    assert.equal(over.status, 429);
    assert.equal(errorCode(over), 'ApplicationThrottled');
    assert.match(errorMessage(over), /RequestCount/);
    assert.equal(over.headers.get('retry-after'), '600');

    assert.equal((await f.call('GET', `/users/${BEN.id}`)).status, 200, 'directory look-ups do not count');
    assert.equal((await f.call('GET', `/users/${ANA.id}/mailFolders`)).status, 200, 'another mailbox has its own budget');

    clock += 240_000;
    const still = await f.call('GET', folders);
    assert.equal(still.status, 429);
    assert.equal(still.headers.get('retry-after'), '360');

    clock += 360_000;
    assert.equal((await f.call('GET', folders)).status, 200, 'the window has slid past the first requests');
  });

  test('upload bytes per 5 minutes count request bodies', async () => {
    const messages = messagesPath(ANA.id, 'inbox');
    const message = { subject: 'x', body: { contentType: 'text', content: 'y'.repeat(4_000) } };
    assert.equal((await f.call('POST', messages, message)).status, 201);
    assert.equal((await f.call('POST', messages, message)).status, 201);
    const over = await f.call('POST', messages, message);
    assert.equal(over.status, 429);
    assert.match(errorMessage(over), /IncomingBytes/);
    assert.equal(over.headers.get('retry-after'), '300');
    assert.equal((await f.call('GET', `/users/${ANA.id}/mailFolders`)).status, 200, 'a request without a body still passes');

    clock += 300_000;
    assert.equal((await f.call('POST', messages, message)).status, 201);
  });

  test('limits must be positive integers', async () => {
    await assert.rejects(SimulatorFixture.start({ limits: { concurrentPerMailbox: 0 } }), /concurrentPerMailbox/);
  });
});
