import { buffer } from 'node:stream/consumers';
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { after, afterEach, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { TeleMessageSimulator } from '../../dev/simulators/telemessage';
import { checkBaseUrlHost, RefusedAddressError, type AddressPolicy, type Resolver } from '../../shared/telemessage/address-policy';
import { checkedLookup } from '../../shared/telemessage/checked-connections';
import { TeleMessageAddressRefusedError, TeleMessageClient } from '../../shared/telemessage';
import { ScenarioBuilder, TEST_PASSWORD, TEST_USERNAME, at, type AttachmentFile, type TestScenario } from './telemessage-test-scenario';

/**
 * DNS rebinding: a base URL's name is checked when the connector is added and when the app builds
 * its client, but the connection resolves the name again. Each connection the client opens must
 * apply the address policy to the addresses it connects to, so a name that answered a public
 * address at the check and an internal one at the connection is refused there. The name
 * `telemessage.test` exists only through the injected resolver; its "public" answer is a
 * documentation address (TEST-NET-3) that nothing ever connects to.
 */

const HOST = 'telemessage.test';
const PUBLIC = '203.0.113.7';
const DEPLOYED: AddressPolicy = { allowLoopback: false };
const LOCAL_DEVELOPMENT: AddressPolicy = { allowLoopback: true };
const WINDOW = { from: new Date(at(0)), to: new Date(at(60)) };

/** Everything an error exposes when logged or serialised, hidden properties and causes included. */
function serialise(error: unknown): string {
  return [String(error), (error as Error).stack, JSON.stringify(error), inspect(error, { showHidden: true, depth: Infinity })].join('\n');
}

/** A resolver answering each call with the next of `answers` (the last one from then on), recording the names asked. */
function changingResolver(...answers: (readonly string[])[]): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (hostname: string): Promise<readonly string[]> => {
    asked.push(hostname);
    return answers[Math.min(asked.length, answers.length) - 1] ?? [];
  };
  return Object.assign(resolve, { asked });
}

describe('TeleMessageClient connections and the address policy (DNS rebinding)', () => {
  let scenario: TestScenario;
  let sim: TeleMessageSimulator;
  let recording: AttachmentFile;
  let baseUrl = '';
  const clients: TeleMessageClient[] = [];

  const client = (addressPolicy: AddressPolicy, resolve: Resolver): TeleMessageClient => {
    const created = new TeleMessageClient({
      baseUrl, username: TEST_USERNAME, password: TEST_PASSWORD, addressPolicy, resolve,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 }, requestTimeoutMs: 5_000,
    });
    clients.push(created);
    return created;
  };

  before(async () => {
    const builder = await ScenarioBuilder.create();
    recording = await builder.attachment('att-recording-1', 1_500_000, 'audio/mpeg');
    builder
      .item({ id: 'tm-a', product: 'att-network', archivedAt: at(1) })
      .item({ id: 'tm-b', product: 'att-network', archivedAt: at(5), attachments: [recording] });
    scenario = await builder.write();
    sim = await TeleMessageSimulator.start({ scenarioDir: scenario.dir, port: 0 });
    baseUrl = `http://${HOST}:${new URL(sim.url).port}`;
  });

  after(async () => {
    await sim.stop();
    await scenario.remove();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    sim.faults.clear();
    sim.stats.reset();
  });

  test('a name public at the check and loopback at the connection is refused at the connection, outside local development', async () => {
    const resolve = changingResolver([PUBLIC], ['127.0.0.1']);
    // The check the app makes before it builds the client (shared/app/services.ts) passes...
    await checkBaseUrlHost(baseUrl, DEPLOYED, resolve);
    const source = client(DEPLOYED, resolve);

    // ...and the sign-in's connection, resolved again, meets 127.0.0.1.
    await assert.rejects(source.verifyConnection(), (error: unknown) => {
      assert.ok(error instanceof TeleMessageAddressRefusedError, serialise(error));
      assert.equal(error.reason, 'refused-address');
      assert.equal(error.retryable, false);
      assert.match(error.message, /getToken \/api\/v1\/auth\/token: TeleMessage host telemessage\.test resolved, when connecting, to an address refused: 127\.0\.0\.1 is a loopback address/);
      assert.equal(serialise(error).includes(TEST_PASSWORD), false, 'the password is in no part of the error');
      return true;
    });
    assert.deepEqual(resolve.asked, [HOST, HOST], 'the connection resolved the name itself, once, and was not retried');
    assert.equal(sim.stats.requests(), 0, 'nothing reached the simulator');
  });

  test('every address of the answer must pass: one private address among public ones refuses the connection', async () => {
    const resolve = changingResolver([PUBLIC, '10.1.2.3']);
    await assert.rejects(client(DEPLOYED, resolve).verifyConnection(), (error: unknown) => {
      assert.ok(error instanceof TeleMessageAddressRefusedError, serialise(error));
      assert.match(error.message, /10\.1\.2\.3 is a private address/);
      return true;
    });
    assert.equal(sim.stats.requests(), 0);
  });

  test('in local development the client reaches the simulator by name through the checked lookup', async () => {
    const resolve = changingResolver(['127.0.0.1']);
    const source = client(LOCAL_DEVELOPMENT, resolve);

    await source.verifyConnection();
    const ids: string[] = [];
    for await (const item of source.listItems('att-network', WINDOW)) ids.push(item.id);
    const download = await source.openAttachment('att-network', recording.id);
    const bytes = await buffer(download.stream);

    assert.deepEqual(ids, ['tm-a', 'tm-b']);
    assert.equal(bytes.length, recording.size);
    assert.ok(resolve.asked.length >= 1 && resolve.asked.every((name) => name === HOST), `resolved through the injected resolver: ${resolve.asked.join(', ')}`);
    assert.equal(sim.stats.requests('token'), 1);
    assert.equal(sim.stats.requests('attachment'), 1);
  });

  test('a later connection of the same client is checked too: a download needing a new connection when the name answers the metadata address is refused', async () => {
    let answer: readonly string[] = ['127.0.0.1'];
    const asked: string[] = [];
    const source = client(LOCAL_DEVELOPMENT, async (hostname) => {
      asked.push(hostname);
      return answer;
    });
    const held = [await source.openAttachment('att-network', recording.id)];
    const lookupsBefore = asked.length;
    answer = ['169.254.169.254'];
    // Each download whose body is not read keeps its connection busy, so within as many downloads
    // as there are connections one needs a new connection, resolved now.
    let refused: unknown;
    try {
      for (let opened = 0; opened <= lookupsBefore && refused === undefined; opened += 1) {
        try {
          held.push(await source.openAttachment('att-network', recording.id));
        } catch (error) {
          refused = error;
        }
      }
      assert.ok(refused instanceof TeleMessageAddressRefusedError, serialise(refused));
      assert.match(refused.message, /openAttachment \/api\/v1\/archive\/att-network\/attachments\/att-recording-1: .*169\.254\.169\.254 is a metadata address/);
      assert.equal(serialise(refused).includes(TEST_PASSWORD), false);
      assert.equal(asked.length, lookupsBefore + 1, 'one new connection, refused at once');
      assert.equal(sim.stats.requests('attachment'), held.length, 'the refused download never reached the simulator');
      const [first] = held.splice(0, 1);
      assert.equal((await buffer(first?.stream ?? [])).length, recording.size, 'a connection checked earlier goes on');
    } finally {
      for (const download of held) download.stream.destroy();
    }
  });

  test('an address literal, which Node connects to without a lookup, is judged when the client is built', () => {
    const build = (url: string): TeleMessageClient =>
      new TeleMessageClient({ baseUrl: url, username: TEST_USERNAME, password: TEST_PASSWORD, addressPolicy: DEPLOYED });
    assert.throws(() => build(`http://127.0.0.1:${new URL(sim.url).port}`), (error: unknown) => {
      assert.ok(error instanceof RefusedAddressError, serialise(error));
      assert.match(error.message, /127\.0\.0\.1 is a loopback address/);
      assert.equal(serialise(error).includes(TEST_PASSWORD), false);
      return true;
    });
    assert.throws(() => build('http://[::ffff:a9fe:a9fe]/'), /metadata address/);
  });

  test('the lookup answers both forms net.connect asks for: every address, or one of a family', async () => {
    const lookup = checkedLookup(LOCAL_DEVELOPMENT, async () => ['127.0.0.1', '::1']);
    const call = async (options: { all?: boolean; family?: number }): Promise<unknown[]> =>
      new Promise((resolve) => {
        lookup(HOST, options, (error, address, family) => resolve([error, address, family]));
      });

    const [allError, all] = await call({ all: true });
    assert.equal(allError, null);
    assert.deepEqual(all as LookupAddress[], [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }]);
    assert.deepEqual(await call({ family: 6 }), [null, '::1', 6]);
    assert.deepEqual(await call({}), [null, '127.0.0.1', 4]);
  });
});
