import { QueueClient, QueueServiceClient, type ReceivedMessageItem } from '@azure/storage-queue';
import type { FunctionInvoker, HostLogger, InvocationRequest, ListenerContext, RegisteredFunction, TriggerListener, TypedData } from './contracts';
import { PollSleeper } from './poll-sleeper';
import { PollingBackoff } from './polling-backoff';
import { decodeQueueMessage } from './queue-message-codec';
import { MIN_POLLING_INTERVAL_MS, resolveQueuesOptions, type QueuesOptions } from './queues-options';
import { describeError, isStorageError } from './storage-errors';
import { LISTENER_STORAGE_RETRY, TriggerConfigurationError, optionalStringOption } from './trigger-configuration';
import { dotNetDateTimeOffset, intData, jsonData, stringData, systemMetadata } from './trigger-metadata';

export interface QueueTriggerListenerOptions {
  /**
   * How long a received message stays invisible while its function runs; renewed at half this
   * interval for long invocations. The host uses 10 minutes.
   */
  processingVisibilityTimeoutMs?: number;
  /** The first polling back-off step when a queue is empty (the host's minimum, 100 ms). */
  minPollingIntervalMs?: number;
}

const POISON_QUEUE_SUFFIX = '-poison';
const DEFAULT_PROCESSING_VISIBILITY_MS = 10 * 60_000;

/**
 * Storage queue triggers as the storage extension 5.x runs them: one poller per function, batches
 * of `batchSize`, a new batch once in-flight messages drop to `newBatchThreshold`, messages kept
 * invisible while they run, failures retried after `visibilityTimeout` and moved to
 * `<queue>-poison` after `maxDequeueCount` attempts, undecodable messages poisoned at once.
 */
export class QueueTriggerListener implements TriggerListener {
  readonly kind = 'queueTrigger';
  readonly #functions: RegisteredFunction[];
  readonly #ctx: ListenerContext;
  readonly #options: QueueTriggerListenerOptions;
  #pollers: QueueFunctionPoller[] = [];

  constructor(functions: RegisteredFunction[], ctx: ListenerContext, options: QueueTriggerListenerOptions = {}) {
    this.#functions = functions.filter((f) => f.trigger.type.toLowerCase() === 'queuetrigger');
    this.#ctx = ctx;
    this.#options = options;
  }

  /** Starts one poller per function. A function whose binding cannot be resolved is logged as in error and skipped, as the real host does; a bad host.json throws. */
  async start(): Promise<void> {
    if (this.#pollers.length > 0) return;
    const queues = resolveQueuesOptions(this.#ctx.hostJson);
    for (const fn of this.#functions) {
      let queueName: string;
      let connectionString: string;
      try {
        queueName = resolveQueueName(fn, this.#ctx);
        connectionString = this.#ctx.storageConnectionString(optionalString(fn, 'connection'));
      } catch (err) {
        this.#ctx.log.error(`The '${fn.name}' function is in error and will not run: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      const service = QueueServiceClient.fromConnectionString(connectionString, { retryOptions: LISTENER_STORAGE_RETRY });
      this.#pollers.push(
        new QueueFunctionPoller({
          functionName: fn.name,
          queue: service.getQueueClient(queueName),
          poisonQueue: service.getQueueClient(`${queueName}${POISON_QUEUE_SUFFIX}`),
          queues,
          invoker: this.#ctx.invoker,
          log: this.#ctx.log,
          processingVisibilityTimeoutMs: this.#options.processingVisibilityTimeoutMs ?? DEFAULT_PROCESSING_VISIBILITY_MS,
          minPollingIntervalMs: this.#options.minPollingIntervalMs ?? MIN_POLLING_INTERVAL_MS,
        }),
      );
    }
    // The trigger queues are not created: the storage extension's QueueListener polls a missing
    // queue as an empty one (whoever sends to a queue creates it).
    for (const poller of this.#pollers) poller.start();
  }

  /** Stops fetching and waits for the messages in flight to finish. */
  async stop(): Promise<void> {
    const pollers = this.#pollers;
    this.#pollers = [];
    await Promise.all(pollers.map((p) => p.stop()));
  }

  async isDrained(): Promise<boolean> {
    const drained = await Promise.all(this.#pollers.map((p) => p.isDrained()));
    return drained.every(Boolean);
  }
}

function optionalString(fn: RegisteredFunction, option: string): string | undefined {
  return optionalStringOption(fn, 'queue', option);
}

/** Resolves `%Setting%` tokens and applies the host's queue-name rules (it lower-cases first). */
function resolveQueueName(fn: RegisteredFunction, ctx: ListenerContext): string {
  const configured = optionalString(fn, 'queueName');
  if (configured === undefined) throw new TriggerConfigurationError(fn.name, 'queue', "'queueName'", 'is missing');
  const name = ctx.resolveSettings(configured).toLowerCase();
  if (!/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/.test(name)) {
    throw new TriggerConfigurationError(
      fn.name,
      'queue',
      `'queueName' "${name}"`,
      'is not a valid queue name (3-63 lower-case letters, digits and single inner dashes)',
    );
  }
  return name;
}

/** What a dequeued message does: true when it succeeded (deleted), false to retry or poison. */
export type QueueMessageExecutor = (message: ReceivedMessageItem, text: string) => Promise<boolean>;

export interface QueueFunctionPollerInit {
  functionName: string;
  /** Runs instead of invoking `functionName` with the message (the blob trigger's shared queue). */
  execute?: QueueMessageExecutor;
  queue: QueueClient;
  poisonQueue: QueueClient;
  queues: QueuesOptions;
  invoker: FunctionInvoker;
  log: HostLogger;
  processingVisibilityTimeoutMs: number;
  minPollingIntervalMs: number;
}

/** The receive loop and message handling for one function's queue (or the blob trigger's shared queue). */
export class QueueFunctionPoller {
  readonly #init: QueueFunctionPollerInit;
  readonly #sleeper = new PollSleeper();
  readonly #inFlight = new Set<Promise<void>>();
  #loop: Promise<void> | undefined;
  #poisonQueueReady = false;
  #missingReported = false;

  constructor(init: QueueFunctionPollerInit) {
    this.#init = init;
  }

  /** Polls at once (a message was just sent to the queue by this process). */
  wake(): void {
    this.#sleeper.wake();
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#sleeper.close();
    await this.#loop;
    await Promise.all(this.#inFlight);
  }

  async isDrained(): Promise<boolean> {
    if (this.#inFlight.size > 0) return false;
    let count: number;
    try {
      // The approximate count includes invisible messages, i.e. failed ones waiting for a retry.
      count = (await this.#init.queue.getProperties()).approximateMessagesCount ?? 0;
    } catch (err) {
      if (isStorageError(err, 404)) count = 0;
      else throw err;
    }
    return count === 0 && this.#inFlight.size === 0;
  }

  async #run(): Promise<void> {
    const { queue, queues, log, functionName } = this.#init;
    const backoff = new PollingBackoff({
      minIntervalMs: Math.min(this.#init.minPollingIntervalMs, queues.maxPollingIntervalMs),
      maxIntervalMs: queues.maxPollingIntervalMs,
    });
    while (!this.#sleeper.closed) {
      try {
        await this.#waitForCapacity();
        if (this.#sleeper.closed) break;
        // Not aborted on stop: messages already received would stay hidden for the whole
        // processing visibility timeout. Whatever arrives is processed before stop() returns.
        const batch = await queue.receiveMessages({
          numberOfMessages: queues.batchSize,
          visibilityTimeout: Math.max(1, Math.ceil(this.#init.processingVisibilityTimeoutMs / 1000)),
        });
        this.#missingReported = false;
        for (const message of batch.receivedMessageItems) this.#track(this.#process(message));
        await this.#sleeper.sleep(backoff.nextDelay(batch.receivedMessageItems.length > 0));
      } catch (err) {
        if (isStorageError(err, 404)) {
          // A queue nobody has sent to yet: empty, as the real listener treats it; said once.
          if (!this.#missingReported) log.info(`Queue '${queue.name}' of '${functionName}' does not exist yet; polling it as empty until a sender creates it.`);
          this.#missingReported = true;
          await this.#sleeper.sleep(backoff.nextDelay(false));
          continue;
        }
        log.warn(`Queue trigger '${functionName}' could not poll queue '${queue.name}': ${describeError(err)}`);
        await this.#sleeper.sleep(backoff.nextDelay(false));
      }
    }
  }

  async #waitForCapacity(): Promise<void> {
    while (this.#inFlight.size > this.#init.queues.newBatchThreshold) {
      await Promise.race(this.#inFlight);
    }
  }

  #track(processing: Promise<void>): void {
    const tracked = processing.finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }

  /** Never rejects: every failure is logged and leaves the message for the next attempt. */
  async #process(message: ReceivedMessageItem): Promise<void> {
    const { queue, queues, log, functionName } = this.#init;
    try {
      if (message.dequeueCount > queues.maxDequeueCount) {
        log.warn(
          `Message '${message.messageId}' on queue '${queue.name}' was already dequeued ${message.dequeueCount} times ` +
            `(maxDequeueCount ${queues.maxDequeueCount}); moving it to '${this.#init.poisonQueue.name}' without invoking '${functionName}'.`,
        );
        await this.#moveToPoison(message, message.popReceipt);
        return;
      }
      const text = decodeQueueMessage(message.messageText, queues.messageEncoding);
      if (text === undefined) {
        log.warn(
          `Message '${message.messageId}' on queue '${queue.name}' is not valid base64 (messageEncoding "base64"); ` +
            `moving it to '${this.#init.poisonQueue.name}' without invoking '${functionName}'.`,
        );
        await this.#moveToPoison(message, message.popReceipt);
        return;
      }

      const renewal = new VisibilityRenewal(queue, message, this.#init.processingVisibilityTimeoutMs, log);
      let succeeded = false;
      try {
        if (this.#init.execute) succeeded = await this.#init.execute(message, text);
        else succeeded = (await this.#init.invoker.invoke(this.#request(message, text))).succeeded;
      } catch (err) {
        log.error(`Queue trigger '${functionName}': the invoker failed for message '${message.messageId}': ${describeError(err)}`);
      }
      const popReceipt = await renewal.stop();

      if (succeeded) {
        await this.#deleteMessage(message.messageId, popReceipt);
      } else if (message.dequeueCount >= queues.maxDequeueCount) {
        log.warn(
          `Message '${message.messageId}' on queue '${queue.name}' has reached maxDequeueCount of ${queues.maxDequeueCount}; ` +
            `moving it to '${this.#init.poisonQueue.name}'.`,
        );
        await this.#moveToPoison(message, popReceipt);
      } else {
        await this.#release(message.messageId, popReceipt);
      }
    } catch (err) {
      log.error(`Queue trigger '${functionName}': handling message '${message.messageId}' on '${queue.name}' failed: ${describeError(err)}`);
    }
  }

  #request(message: ReceivedMessageItem, text: string): InvocationRequest {
    const metadata: Record<string, TypedData> = {
      QueueTrigger: stringData(text),
      DequeueCount: intData(message.dequeueCount),
      ExpirationTime: jsonData(dotNetDateTimeOffset(message.expiresOn)),
      Id: stringData(message.messageId),
      InsertionTime: jsonData(dotNetDateTimeOffset(message.insertedOn)),
      NextVisibleTime: jsonData(dotNetDateTimeOffset(message.nextVisibleOn)),
      PopReceipt: stringData(message.popReceipt),
      sys: systemMetadata(this.#init.functionName),
    };
    return {
      functionName: this.#init.functionName,
      triggerData: stringData(text),
      triggerMetadata: metadata,
      reason: `New queue message detected on '${this.#init.queue.name}'.`,
    };
  }

  /** Copies the raw (still encoded) text to the poison queue, then deletes the original. */
  async #moveToPoison(message: ReceivedMessageItem, popReceipt: string): Promise<void> {
    const poison = this.#init.poisonQueue;
    if (!this.#poisonQueueReady) {
      await poison.createIfNotExists();
      this.#poisonQueueReady = true;
    }
    await poison.sendMessage(message.messageText);
    await this.#deleteMessage(message.messageId, popReceipt);
  }

  async #deleteMessage(messageId: string, popReceipt: string): Promise<void> {
    try {
      await this.#init.queue.deleteMessage(messageId, popReceipt);
    } catch (err) {
      // Gone already, or someone else owns it now: nothing left for this attempt to do.
      if (isStorageError(err, 404) || isStorageError(err, 400, 'PopReceiptMismatch')) return;
      throw err;
    }
  }

  /** Makes a failed message visible again after `visibilityTimeout`. */
  async #release(messageId: string, popReceipt: string): Promise<void> {
    try {
      // Whole seconds, truncated, as the .NET client sends them.
      await this.#init.queue.updateMessage(messageId, popReceipt, undefined, Math.floor(this.#init.queues.visibilityTimeoutMs / 1000));
    } catch (err) {
      if (isStorageError(err, 404) || isStorageError(err, 400, 'PopReceiptMismatch')) return;
      throw err;
    }
  }
}

/**
 * Keeps a message hidden while its function runs, renewing at half the visibility timeout. Each
 * renewal yields a new pop receipt, which the final delete or release must use.
 */
class VisibilityRenewal {
  #popReceipt: string;
  #chain: Promise<void> = Promise.resolve();
  readonly #timer: NodeJS.Timeout;

  constructor(queue: QueueClient, message: ReceivedMessageItem, visibilityTimeoutMs: number, log: HostLogger) {
    this.#popReceipt = message.popReceipt;
    const seconds = Math.max(1, Math.ceil(visibilityTimeoutMs / 1000));
    this.#timer = setInterval(() => {
      this.#chain = this.#chain.then(async () => {
        try {
          const renewed = await queue.updateMessage(message.messageId, this.#popReceipt, undefined, seconds);
          if (renewed.popReceipt) this.#popReceipt = renewed.popReceipt;
        } catch (err) {
          log.warn(`Could not extend the visibility of message '${message.messageId}' on '${queue.name}': ${describeError(err)}`);
        }
      });
    }, Math.max(500, visibilityTimeoutMs / 2));
    this.#timer.unref();
  }

  /** Stops renewing and returns the current pop receipt. */
  async stop(): Promise<string> {
    clearInterval(this.#timer);
    await this.#chain;
    return this.#popReceipt;
  }
}
