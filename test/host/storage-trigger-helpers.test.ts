import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BlobPathPattern, BlobPathPatternError } from '../../dev/host/blob-path-pattern';
import { resolveHostId } from '../../dev/host/host-id';
import { PollingBackoff } from '../../dev/host/polling-backoff';
import { decodeQueueMessage, encodeQueueMessage } from '../../dev/host/queue-message-codec';
import { HostJsonValueError, resolveQueuesOptions } from '../../dev/host/queues-options';
import { parseTimeSpan, TimeSpanFormatError } from '../../dev/host/timespan';
import { dotNetDateTimeOffset, dotNetUtcDateTime } from '../../dev/host/trigger-metadata';

describe('parseTimeSpan', () => {
  test('reads the .NET TimeSpan forms host.json uses', () => {
    assert.equal(parseTimeSpan('00:00:30', 'f'), 30_000);
    assert.equal(parseTimeSpan('00:01', 'f'), 60_000);
    assert.equal(parseTimeSpan('1.02:03:04.5', 'f'), ((26 * 60 + 3) * 60 + 4.5) * 1000);
    assert.equal(parseTimeSpan('00:00:00.1', 'f'), 100);
    assert.equal(parseTimeSpan('2', 'f'), 2 * 86_400_000, 'a bare integer is days, as in .NET');
  });
  test('rejects what .NET rejects, naming the field', () => {
    for (const bad of ['30s', '00:60:00', '24:00:00', '00:00:61', '', '1:2:3:4']) {
      assert.throws(() => parseTimeSpan(bad, 'extensions.queues.visibilityTimeout'), (e: unknown) => {
        assert.ok(e instanceof TimeSpanFormatError);
        assert.match(e.message, /extensions\.queues\.visibilityTimeout/);
        return true;
      }, bad);
    }
  });
});

describe('resolveQueuesOptions', () => {
  test('applies the storage extension defaults', () => {
    assert.deepEqual(resolveQueuesOptions({}), {
      batchSize: 16,
      newBatchThreshold: 8,
      maxDequeueCount: 5,
      visibilityTimeoutMs: 0,
      maxPollingIntervalMs: 60_000,
      messageEncoding: 'base64',
    });
    assert.equal(resolveQueuesOptions({ extensions: { queues: { batchSize: 5 } } }).newBatchThreshold, 2);
  });
  test('reports out-of-range values with the field name', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ batchSize: 33 }, /batchSize.*between 1 and 32/],
      [{ batchSize: 0 }, /batchSize/],
      [{ maxDequeueCount: 0 }, /maxDequeueCount/],
      [{ maxPollingInterval: '00:00:00.05' }, /maxPollingInterval.*100 ms/],
      [{ messageEncoding: 'utf8' }, /messageEncoding/],
    ];
    for (const [queues, message] of cases) {
      assert.throws(() => resolveQueuesOptions({ extensions: { queues } }), (e: unknown) => e instanceof HostJsonValueError && message.test(e.message));
    }
  });
});

describe('queue message codec', () => {
  test('base64 decodes like Convert.FromBase64String, whitespace allowed', () => {
    assert.equal(decodeQueueMessage(Buffer.from('{"a":1}').toString('base64'), 'base64'), '{"a":1}');
    assert.equal(decodeQueueMessage('aGVs\r\nbG8=', 'base64'), 'hello');
    assert.equal(decodeQueueMessage('', 'base64'), '');
  });
  test('what .NET cannot decode is undefined (Node alone would accept it)', () => {
    for (const bad of ['{"a":1}', 'hello', 'aGVsbG8', 'aGVsbG8===', 'aGV=sbG8', 'a-_b']) {
      assert.equal(decodeQueueMessage(bad, 'base64'), undefined, bad);
    }
  });
  test('"none" passes text through both ways', () => {
    assert.equal(decodeQueueMessage('{"a":1}', 'none'), '{"a":1}');
    assert.equal(encodeQueueMessage('{"a":1}', 'none'), '{"a":1}');
    assert.equal(encodeQueueMessage('hello', 'base64'), 'aGVsbG8=');
  });
});

describe('BlobPathPattern', () => {
  test('container-only paths match every blob', () => {
    const p = BlobPathPattern.parse('archive-items');
    assert.deepEqual(p.match('a/b/c.json'), {});
    assert.equal(p.prefix, '');
  });
  test('{name} captures the rest of the name, slashes included', () => {
    const p = BlobPathPattern.parse('archive-items/{name}');
    assert.equal(p.container, 'archive-items');
    assert.deepEqual(p.match('conn/item.json'), { name: 'conn/item.json' });
  });
  test('a literal prefix narrows the listing and the match', () => {
    const p = BlobPathPattern.parse('container/prefix/{name}');
    assert.equal(p.prefix, 'prefix/');
    assert.deepEqual(p.match('prefix/x.txt'), { name: 'x.txt' });
    assert.equal(p.match('other/x.txt'), undefined);
  });
  test('several parameters capture greedily like the WebJobs binding template', () => {
    const p = BlobPathPattern.parse('container/{a}/{b}.json');
    assert.deepEqual(p.match('x/y.json'), { a: 'x', b: 'y' });
    assert.deepEqual(p.match('x/y/z.json'), { a: 'x/y', b: 'z' });
    assert.equal(p.match('x/y.txt'), undefined);
    assert.deepEqual(BlobPathPattern.parse('ccc/{name}.{ext}').match('a.b.c'), { name: 'a.b', ext: 'c' });
  });
  test('doubled braces are literal and regex characters are not special', () => {
    const p = BlobPathPattern.parse('ccc/{{x}}+({name}).txt');
    assert.deepEqual(p.match('{x}+(abc).txt'), { name: 'abc' });
    assert.equal(p.match('{x}++(abc).txt'), undefined);
  });
  test('bad paths are reported with the path and the cause', () => {
    for (const [path, cause] of [
      ['{c}/{name}', /container/],
      ['Archive/{name}', /container/],
      ['c1c/{na-me}', /invalid parameter/],
      ['c1c/{name', /unclosed/],
      ['c1c/{a}/{a}', /twice/],
    ] as const) {
      assert.throws(() => BlobPathPattern.parse(path), (e: unknown) => e instanceof BlobPathPatternError && e.message.includes(path) && cause.test(e.message), path);
    }
  });
});

describe('PollingBackoff', () => {
  test('grows while empty, caps at the maximum, resets when work shows up', () => {
    const backoff = new PollingBackoff({ minIntervalMs: 100, maxIntervalMs: 1_000, random: () => 0.5 });
    const delays = Array.from({ length: 6 }, () => backoff.nextDelay(false));
    assert.deepEqual(delays, [200, 300, 500, 900, 1_000, 1_000]);
    assert.equal(backoff.nextDelay(true), 100);
    assert.equal(backoff.nextDelay(false), 200);
  });
  test('jitter stays within +/-20 % of the step', () => {
    const low = new PollingBackoff({ minIntervalMs: 100, maxIntervalMs: 10_000, random: () => 0 });
    const high = new PollingBackoff({ minIntervalMs: 100, maxIntervalMs: 10_000, random: () => 0.999999 });
    assert.equal(low.nextDelay(false), 180);
    assert.ok(Math.abs(high.nextDelay(false) - 220) < 0.01);
  });
});

describe('host id and Json.NET dates', () => {
  test('a configured host id is validated and lower-cased', () => {
    assert.equal(resolveHostId({ configured: 'My-Host-1' }), 'my-host-1');
    assert.throws(() => resolveHostId({ configured: 'bad_id!' }), /AzureFunctionsWebHost__hostid/);
  });
  test('the default is stable per app root and differs between roots', () => {
    const a = resolveHostId({ appRoot: '/apps/one' });
    assert.equal(resolveHostId({ appRoot: '/apps/one' }), a);
    assert.notEqual(resolveHostId({ appRoot: '/apps/two' }), a);
    assert.match(a, /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/);
  });
  test('dates are written as Json.NET writes DateTimeOffset and UTC DateTime', () => {
    assert.equal(dotNetDateTimeOffset(new Date('2024-05-01T10:00:00.000Z')), '2024-05-01T10:00:00+00:00');
    assert.equal(dotNetDateTimeOffset(new Date('2024-05-01T10:00:00.120Z')), '2024-05-01T10:00:00.12+00:00');
    assert.equal(dotNetUtcDateTime(new Date('2024-05-01T10:00:00.000Z')), '2024-05-01T10:00:00Z');
  });
});
