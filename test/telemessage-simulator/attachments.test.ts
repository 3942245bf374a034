import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { TeleMessageSimulator } from '../../dev/simulators/telemessage';
import { attachmentFor, chatItem, createTempScenario, signIn, smsItem, type TempScenario } from './scenario-fixture';

describe('attachments', () => {
  const small = Buffer.from('0123456789abcdefghij', 'ascii');
  // Large enough that it is streamed in many chunks; generated here, never committed.
  const large = randomBytes(12 * 1024 * 1024 + 17);
  const empty = Buffer.alloc(0);
  let scenario: TempScenario;
  let sim: TeleMessageSimulator;
  let token: string;

  before(async () => {
    scenario = await createTempScenario({
      items: {
        'att-network': [
          smsItem('tm-1', '2026-03-10T13:00:00Z', {
            kind: 'mms',
            attachments: [
              attachmentFor('att-small', small, 'image/jpeg'),
              attachmentFor('att-large', large, 'video/mp4'),
              attachmentFor('att-empty', empty, 'text/plain'),
              attachmentFor('att-gone', small, 'image/png'),
            ],
          }),
        ],
        wechat: [chatItem('tm-wc-1', '2026-03-10T13:00:00Z', { attachments: [attachmentFor('att-wechat', small, 'image/png')] })],
      },
      attachments: { 'att-small': small, 'att-large': large, 'att-empty': empty, 'att-wechat': small, 'att-unreferenced': small },
    });
    sim = await TeleMessageSimulator.start({ scenarioDir: scenario.dir });
    token = await signIn(sim.url);
  });
  after(async () => {
    await sim.stop();
    await scenario.remove();
  });

  const download = (id: string, headers: Record<string, string> = {}, product = 'att-network'): Promise<Response> =>
    fetch(`${sim.url}/api/v1/archive/${product}/attachments/${id}`, { headers: { Authorization: `Bearer ${token}`, ...headers } });

  test('serves the bytes with Content-Type and Content-Length', async () => {
    const response = await download('att-small');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/jpeg');
    assert.equal(response.headers.get('content-length'), String(small.length));
    assert.equal(response.headers.get('accept-ranges'), 'bytes');
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), small);
  });

  test('streams a large attachment intact', async () => {
    const response = await download('att-large');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-length'), String(large.length));
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      size += chunk.length;
    }
    assert.equal(size, large.length);
    assert.equal(hash.digest('hex'), createHash('sha256').update(large).digest('hex'));
  });

  test('an empty attachment is 200 with Content-Length 0', async () => {
    const response = await download('att-empty');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-length'), '0');
    assert.equal((await response.arrayBuffer()).byteLength, 0);
  });

  test('Range requests are answered with 206 and Content-Range', async () => {
    const cases: { range: string; start: number; end: number }[] = [
      { range: 'bytes=0-4', start: 0, end: 4 },
      { range: 'bytes=5-5', start: 5, end: 5 },
      { range: 'bytes=15-', start: 15, end: 19 },
      { range: 'bytes=-3', start: 17, end: 19 },
      { range: 'bytes=10-1000', start: 10, end: 19 },
      { range: 'bytes=-1000', start: 0, end: 19 },
    ];
    for (const { range, start, end } of cases) {
      const response = await download('att-small', { Range: range });
      assert.equal(response.status, 206, range);
      assert.equal(response.headers.get('content-range'), `bytes ${start}-${end}/20`, range);
      assert.equal(response.headers.get('content-length'), String(end - start + 1), range);
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), small.subarray(start, end + 1), range);
    }
    const tail = await download('att-large', { Range: `bytes=${large.length - 100}-` });
    assert.equal(tail.status, 206);
    assert.deepEqual(Buffer.from(await tail.arrayBuffer()), large.subarray(large.length - 100));
  });

  test('a range past the end is 416; malformed or multiple ranges get the whole attachment', async () => {
    const beyond = await download('att-small', { Range: 'bytes=20-30' });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), 'bytes */20');
    await beyond.body?.cancel();
    for (const range of ['bytes=0-1,4-5', 'items=0-1', 'bytes=5-2', 'bytes=x-']) {
      const response = await download('att-small', { Range: range });
      assert.equal(response.status, 200, range);
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), small, range);
    }
  });

  test('404 not_found when the file is gone, the id is unknown, or belongs to another product', async () => {
    for (const [id, product] of [
      ['att-gone', 'att-network'],
      ['att-nobody-has', 'att-network'],
      ['att-unreferenced', 'att-network'],
      ['att-wechat', 'att-network'],
      ['att-small', 'wechat'],
      ['..%2Faccounts.json', 'att-network'],
      ['%2E%2E', 'att-network'],
    ] as const) {
      const response = await download(id, {}, product);
      assert.equal(response.status, 404, `${product}/${id}`);
      assert.equal(((await response.json()) as { error: string }).error, 'not_found');
    }
    const wechat = await download('att-wechat', {}, 'wechat');
    assert.equal(wechat.status, 200);
    assert.equal(wechat.headers.get('content-type'), 'image/png');
    await wechat.body?.cancel();
  });

  test('a file dropped in after start is served once an item references it', async () => {
    const bytes = Buffer.from('late bytes');
    sim.capture('att-network', smsItem('tm-late', '2026-03-10T14:00:00Z', { kind: 'mms', attachments: [attachmentFor('att-late', bytes)] }));
    assert.equal((await download('att-late')).status, 404);
    await scenario.write('telemessage/attachments/att-late', bytes);
    const response = await download('att-late');
    assert.equal(response.status, 200);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), bytes);
  });

  test('POST on an attachment is 405', async () => {
    const response = await fetch(`${sim.url}/api/v1/archive/att-network/attachments/att-small`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    assert.equal(response.status, 405);
    await response.body?.cancel();
  });
});
