import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { QueueServiceClient } from '@azure/storage-queue';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import type { HostJson, RegisteredFunction } from '../../dev/host/contracts';
import { QueueTriggerListener } from '../../dev/host/queue-listener';
import { base64, eventually, listenerContext, RecordingInvoker, RecordingLogger, sleep } from './recording-invoker';

function queueFunction(name: string, queueName: string): RegisteredFunction {
  const trigger = { type: 'queueTrigger', direction: 'in' as const, name: 'queueItem', queueName, connection: 'AzureWebJobsStorage' };
  return { name, bindings: { queueItem: trigger }, triggerName: 'queueItem', trigger };
}

function fastHostJson(queues: NonNullable<NonNullable<HostJson['extensions']>['queues']> = {}): HostJson {
  return { version: '2.0', extensions: { queues: { maxPollingInterval: '00:00:00.2', visibilityTimeout: '00:00:00', ...queues } } };
}

describe('QueueTriggerListener on Azurite', () => {
  let azurite: TestAzurite;
  let service: QueueServiceClient;

  before(async () => {
    azurite = await startTestAzurite();
    service = QueueServiceClient.fromConnectionString(azurite.connectionString);
  });
  after(async () => {
    await azurite?.stop();
  });

  async function poisonTexts(queueName: string): Promise<string[]> {
    const poison = service.getQueueClient(`${queueName}-poison`);
    if (!(await poison.exists())) return [];
    const peeked = await poison.peekMessages({ numberOfMessages: 32 });
    return peeked.peekedMessageItems.map((m) => m.messageText);
  }

  async function withListener(
    functions: RegisteredFunction[],
    invoker: RecordingInvoker,
    hostJson: HostJson,
    body: (listener: QueueTriggerListener, log: RecordingLogger) => Promise<void>,
    settings: Record<string, string> = {},
  ): Promise<void> {
    const log = new RecordingLogger();
    const listener = new QueueTriggerListener(
      functions,
      listenerContext({ invoker, connectionString: azurite.connectionString, hostJson, settings, log }),
      { processingVisibilityTimeoutMs: 2_000 },
    );
    await listener.start();
    try {
      await body(listener, log);
    } finally {
      await listener.stop();
    }
  }

  test('a failing message is tried exactly maxDequeueCount times, then moved to <queue>-poison with its original body', async () => {
    const queueName = 'fails-always';
    const raw = base64(JSON.stringify({ job: 'window', n: 1 }));
    await service.getQueueClient(queueName).createIfNotExists();
    await service.getQueueClient(queueName).sendMessage(raw);
    const invoker = new RecordingInvoker(() => false);

    await withListener([queueFunction('failing', queueName)], invoker, fastHostJson(), async (listener) => {
      const poisoned = await eventually(async () => ((await poisonTexts(queueName)).length > 0 ? poisonTexts(queueName) : undefined), 'the poison message');
      await eventually(() => listener.isDrained(), 'the listener to drain');
      assert.deepEqual(poisoned, [raw]);
    });

    const requests = invoker.for('failing');
    assert.equal(requests.length, 5);
    assert.deepEqual(requests.map((r) => r.triggerMetadata?.DequeueCount?.int), [1, 2, 3, 4, 5]);
    for (const r of requests) assert.equal(r.triggerData.string, JSON.stringify({ job: 'window', n: 1 }));
    const remaining = await service.getQueueClient(queueName).getProperties();
    assert.equal(remaining.approximateMessagesCount, 0);
  });

  test('maxDequeueCount from host.json sets the number of attempts', async () => {
    const queueName = 'fails-twice-max';
    await service.getQueueClient(queueName).createIfNotExists();
    await service.getQueueClient(queueName).sendMessage(base64('x'));
    const invoker = new RecordingInvoker(() => false);
    await withListener([queueFunction('failing2', queueName)], invoker, fastHostJson({ maxDequeueCount: 2 }), async () => {
      await eventually(async () => (await poisonTexts(queueName)).length === 1, 'the poison message');
    });
    assert.equal(invoker.for('failing2').length, 2);
  });

  test('trigger metadata carries the host\'s PascalCase keys and typed values', async () => {
    const queueName = 'metadata-check';
    const queue = service.getQueueClient(queueName);
    await queue.createIfNotExists();
    const sent = await queue.sendMessage(base64('{"a":1}'));
    const invoker = new RecordingInvoker(() => true);
    await withListener([queueFunction('meta', queueName)], invoker, fastHostJson(), async (listener) => {
      await eventually(() => invoker.for('meta').length === 1, 'the invocation');
      await eventually(() => listener.isDrained(), 'the listener to drain');
    });
    const [request] = invoker.for('meta');
    assert.ok(request?.triggerMetadata);
    const md = request.triggerMetadata;
    assert.deepEqual(request.triggerData, { string: '{"a":1}' });
    assert.deepEqual(md.Id, { string: sent.messageId });
    assert.deepEqual(md.QueueTrigger, { string: '{"a":1}' });
    assert.deepEqual(md.DequeueCount, { int: 1 });
    assert.equal(typeof md.PopReceipt?.string, 'string');
    for (const key of ['InsertionTime', 'ExpirationTime', 'NextVisibleTime']) {
      const value: unknown = JSON.parse(md[key]?.json ?? 'null');
      assert.match(String(value), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/, key);
    }
    assert.equal(new Date(JSON.parse(md.InsertionTime!.json!) as string).getTime(), sent.insertedOn.getTime());
    const sys = JSON.parse(md.sys?.json ?? '{}') as Record<string, unknown>;
    assert.equal(sys.MethodName, 'meta');
    assert.equal((await queue.getProperties()).approximateMessagesCount, 0, 'a succeeded message is deleted');
  });

  test('a message that is not valid base64 goes to <queue>-poison at once, without an invocation', async () => {
    const queueName = 'bad-encoding';
    const queue = service.getQueueClient(queueName);
    await queue.createIfNotExists();
    const invalid = '{"plain":"json, never encoded"}';
    await queue.sendMessage(invalid);
    await queue.sendMessage(base64('after'));
    const invoker = new RecordingInvoker(() => true);
    await withListener([queueFunction('decoder', queueName)], invoker, fastHostJson(), async (listener, log) => {
      await eventually(async () => (await poisonTexts(queueName)).length === 1 && invoker.for('decoder').length === 1, 'poison + the valid message');
      await eventually(() => listener.isDrained(), 'the listener to drain');
      assert.ok(log.entries.some((e) => e.level === 'warn' && /not valid base64/.test(e.message)));
    });
    assert.deepEqual(await poisonTexts(queueName), [invalid]);
    assert.deepEqual(invoker.for('decoder').map((r) => r.triggerData.string), ['after']);
  });

  test('messageEncoding "none" passes the text as is', async () => {
    const queueName = 'plain-text';
    const queue = service.getQueueClient(queueName);
    await queue.createIfNotExists();
    await queue.sendMessage('{"plain":true}');
    const invoker = new RecordingInvoker(() => true);
    await withListener([queueFunction('plain', queueName)], invoker, fastHostJson({ messageEncoding: 'none' }), async (listener) => {
      await eventually(() => invoker.for('plain').length === 1, 'the invocation');
      await eventually(() => listener.isDrained(), 'the listener to drain');
    });
    assert.equal(invoker.for('plain')[0]?.triggerData.string, '{"plain":true}');
    assert.deepEqual(await poisonTexts(queueName), []);
  });

  test('a message already dequeued more than maxDequeueCount times is poisoned without an invocation', async () => {
    const queueName = 'over-the-limit';
    const queue = service.getQueueClient(queueName);
    await queue.createIfNotExists();
    const raw = base64('worn out');
    await queue.sendMessage(raw);
    // Five earlier deliveries that never completed (a crashed consumer, say).
    for (let i = 0; i < 5; i++) {
      const [m] = (await queue.receiveMessages({ numberOfMessages: 1, visibilityTimeout: 30 })).receivedMessageItems;
      assert.ok(m);
      await queue.updateMessage(m.messageId, m.popReceipt, undefined, 0);
    }
    await queue.sendMessage(base64('fresh'));
    const invoker = new RecordingInvoker(() => true);
    await withListener([queueFunction('limit', queueName)], invoker, fastHostJson(), async (listener) => {
      await eventually(async () => (await poisonTexts(queueName)).length === 1 && invoker.for('limit').length === 1, 'poison + the fresh message');
      await eventually(() => listener.isDrained(), 'the listener to drain');
    });
    assert.deepEqual(await poisonTexts(queueName), [raw]);
    assert.deepEqual(invoker.for('limit').map((r) => r.triggerData.string), ['fresh']);
  });

  test('a failed message waits visibilityTimeout before its retry', async () => {
    const queueName = 'retry-later';
    const queue = service.getQueueClient(queueName);
    await queue.createIfNotExists();
    await queue.sendMessage(base64('later'));
    const invoker = new RecordingInvoker((_r, attempt) => attempt > 1);
    await withListener([queueFunction('later', queueName)], invoker, fastHostJson({ visibilityTimeout: '00:00:03' }), async (listener) => {
      await eventually(() => invoker.for('later').length === 2, 'the retry', 15_000);
      await eventually(() => listener.isDrained(), 'the listener to drain');
    });
    const [first, second] = invoker.for('later');
    const firstNextVisible = new Date(JSON.parse(first!.triggerMetadata!.NextVisibleTime!.json!) as string);
    const secondNextVisible = new Date(JSON.parse(second!.triggerMetadata!.NextVisibleTime!.json!) as string);
    const insertion = new Date(JSON.parse(first!.triggerMetadata!.InsertionTime!.json!) as string);
    // Server-clock times, whole seconds: the second delivery came at least 3 s after the first.
    assert.ok(secondNextVisible.getTime() - firstNextVisible.getTime() >= 2_000, 'the retry came after the visibility timeout');
    assert.ok(insertion.getTime() <= firstNextVisible.getTime());
    assert.equal(second!.triggerMetadata!.DequeueCount!.int, 2);
  });

  test('never more than batchSize + newBatchThreshold messages in flight, and with threshold 0 never more than batchSize', async () => {
    for (const [queueName, threshold] of [['batch-threshold-two', 2], ['batch-threshold-zero', 0]] as const) {
      const queue = service.getQueueClient(queueName);
      await queue.createIfNotExists();
      for (let i = 0; i < 20; i++) await queue.sendMessage(base64(`m${i}`));
      const invoker = new RecordingInvoker(async () => {
        await sleep(40);
        return true;
      });
      await withListener([queueFunction('batch', queueName)], invoker, fastHostJson({ batchSize: 4, newBatchThreshold: threshold }), async (listener) => {
        await eventually(() => invoker.for('batch').length === 20, 'all 20 messages');
        await eventually(() => listener.isDrained(), 'the listener to drain');
      });
      assert.ok(invoker.maxInFlight <= 4 + threshold, `threshold ${threshold}: at most ${4 + threshold} in flight, saw ${invoker.maxInFlight}`);
      assert.ok(invoker.maxInFlight >= 4, `threshold ${threshold}: a whole batch runs at once, saw ${invoker.maxInFlight}`);
      assert.equal(new Set(invoker.for('batch').map((r) => r.triggerData.string)).size, 20);
    }
  });

  test('a long invocation keeps its message invisible (visibility renewed), so it runs once', async () => {
    const queueName = 'long-running';
    const queue = service.getQueueClient(queueName);
    await queue.createIfNotExists();
    await queue.sendMessage(base64('slow'));
    // Held for longer than the 2 s processing visibility the listener is given in these tests.
    const invoker = new RecordingInvoker(async () => {
      await sleep(3_500);
      return true;
    });
    await withListener([queueFunction('slow', queueName)], invoker, fastHostJson(), async (listener) => {
      await eventually(() => invoker.for('slow').length === 1 && invoker.inFlight === 0, 'the slow invocation');
      await eventually(() => listener.isDrained(), 'the listener to drain');
    });
    assert.equal(invoker.for('slow').length, 1);
    assert.equal((await queue.getProperties()).approximateMessagesCount, 0);
  });

  test('isDrained is false while a message waits or runs, true once it is done', async () => {
    const queueName = 'drain-check';
    const queue = service.getQueueClient(queueName);
    await queue.createIfNotExists();
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const invoker = new RecordingInvoker(async () => {
      await released;
      return true;
    });
    await withListener([queueFunction('drain', queueName)], invoker, fastHostJson(), async (listener) => {
      await eventually(() => listener.isDrained(), 'an empty queue to count as drained');
      await queue.sendMessage(base64('hold'));
      await eventually(() => invoker.inFlight === 1, 'the invocation to start');
      assert.equal(await listener.isDrained(), false);
      release();
      await eventually(() => listener.isDrained(), 'the listener to drain');
    });
  });

  test('%Setting% queue names resolve; a missing queue is not created (the sender creates it) and is polled as empty; a function whose setting is missing is reported and skipped', async () => {
    const invoker = new RecordingInvoker(() => true);
    const functions = [queueFunction('bySetting', '%JOBS_QUEUE%'), queueFunction('broken', '%NOT_DEFINED%')];
    await withListener(
      functions,
      invoker,
      fastHostJson(),
      async (listener, log) => {
        const queue = service.getQueueClient('jobs-from-setting');
        // The storage extension's listener never creates its queue; the host must not either.
        await eventually(() => log.entries.some((e) => /jobs-from-setting.*does not exist yet/.test(e.message)), 'a poll of the missing queue');
        assert.equal(await queue.exists(), false, 'the trigger queue is not created by the listener');
        assert.equal(await listener.isDrained(), true, 'a missing queue is an empty one');
        assert.ok(!log.entries.some((e) => e.level === 'warn'), 'a missing queue is not a warning');
        await queue.createIfNotExists();
        await queue.sendMessage(base64('via setting'));
        await eventually(() => invoker.for('bySetting').length === 1, 'the invocation');
        const error = log.entries.find((e) => e.level === 'error');
        assert.ok(error, 'the broken function is reported');
        assert.match(error.message, /'broken'.*NOT_DEFINED/);
      },
      { JOBS_QUEUE: 'Jobs-From-Setting' },
    );
  });
});
