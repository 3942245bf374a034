import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ImportStore } from './import-store';
import type { DeliveryKey, ItemOutcome, MailboxDelivery } from './item-outcome';

export interface DeliveryClaimOptions {
  /**
   * How long a claim holds without being renewed (default 60 s). The holder renews it every
   * third of this while it works, so only a holder that died (or stalled that long) loses it.
   * Instances compare it with their own clocks: it must be far longer than their skew.
   */
  leaseMs?: number;
  /**
   * How long an invocation that finds the copy claimed by another waits for that claim to end —
   * the copy imported, or the claim released or expired — before it fails so that its trigger
   * retries later (default 2 × leaseMs).
   */
  maxWaitMs?: number;
  clock?: () => Date;
}

export type ClaimResult =
  | { kind: 'imported'; delivery: MailboxDelivery }
  | { kind: 'claimed'; claim: HeldDelivery };

/** Another invocation still works on the copy after the wait: fail, and let the trigger retry. */
export class DeliveryBusyError extends Error {
  override readonly name = 'DeliveryBusyError';
}

/** This invocation's claim was taken over (it expired while the holder stalled): stop writing. */
export class DeliveryClaimLostError extends Error {
  override readonly name = 'DeliveryClaimLostError';
}

const DEFAULT_LEASE_MS = 60_000;
const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 2_000;

/**
 * Per-copy claims on the `delivery` rows of the `imports` table, so that of all the invocations
 * that import one item at the same moment — Event Grid delivers at least once, to any instance —
 * exactly one works on each (item, mailbox) at a time. A claim is a conditional write (insert, or
 * replace with the ETag read) of `pending` with a holder and an expiry; a writer that loses the
 * race gets 409 or 412 and reads again. Whoever finds the copy claimed waits until it is
 * `imported` (and succeeds without writing) or until the claim is released or expires (and then
 * claims it, and searches the mailbox before creating: the earlier holder may have created it).
 */
export class DeliveryClaims {
  readonly #leaseMs: number;
  readonly #maxWaitMs: number;
  readonly #clock: () => Date;

  constructor(private readonly store: ImportStore, options: DeliveryClaimOptions = {}) {
    this.#leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    if (!(this.#leaseMs >= 1_000)) throw new RangeError(`leaseMs must be at least 1000, got ${this.#leaseMs}`);
    this.#maxWaitMs = options.maxWaitMs ?? 2 * this.#leaseMs;
    this.#clock = options.clock ?? (() => new Date());
  }

  /**
   * Claims the copy for this invocation, or finds it imported. `fresh` says that nothing was
   * recorded for the item before (no outcome row), so its delivery rows most likely do not exist
   * either: the claim is then inserted without reading first, one round trip instead of two.
   */
  async claim(key: DeliveryKey, options: { fresh: boolean }): Promise<ClaimResult> {
    const holder = randomUUID();
    const deadline = this.#now() + this.#maxWaitMs;
    let pause = FIRST_POLL_MS;
    let tryCreate = options.fresh;
    for (;;) {
      if (tryCreate) {
        const record = this.#pending(key, holder, 1);
        const etag = await this.store.createDelivery(record);
        if (etag !== undefined) return { kind: 'claimed', claim: this.#held(record, etag, false) };
      }
      const found = await this.store.readDelivery(key);
      if (found === undefined) {
        tryCreate = true;
        continue;
      }
      const { delivery, etag } = found;
      if (delivery.status === 'imported') return { kind: 'imported', delivery };
      const now = this.#now();
      const heldUntil = delivery.leaseUntil === undefined ? Number.NaN : Date.parse(delivery.leaseUntil);
      if (!(heldUntil > now)) {
        // Free: never leased (an older record), released after a failure, or its holder died.
        const record = this.#pending(key, holder, delivery.attempts + 1);
        const next = await this.store.replaceDelivery(record, etag);
        if (next !== undefined) return { kind: 'claimed', claim: this.#held(record, next, true) };
        tryCreate = false;
        continue;
      }
      if (now >= deadline) {
        throw new DeliveryBusyError(
          `another invocation is importing this copy (claim ${delivery.attempts}, held until ${delivery.leaseUntil}); waited ${this.#maxWaitMs} ms, the trigger will retry`,
        );
      }
      await sleep(Math.max(1, Math.min(pause, heldUntil - now + 1, deadline - now)));
      pause = Math.min(pause * 2, MAX_POLL_MS);
      tryCreate = false;
    }
  }

  #pending(key: DeliveryKey, holder: string, attempts: number): MailboxDelivery {
    const now = this.#now();
    return {
      connectorId: key.connectorId, itemId: key.itemId, userId: key.userId, status: 'pending', attempts,
      updatedAt: new Date(now).toISOString(), leaseUntil: new Date(now + this.#leaseMs).toISOString(), holder,
    };
  }

  #held(record: MailboxDelivery, etag: string, mayExist: boolean): HeldDelivery {
    return new HeldDelivery(this.store, record, etag, { mayExist, leaseMs: this.#leaseMs, clock: this.#clock });
  }

  #now(): number {
    return this.#clock().getTime();
  }
}

/**
 * A claim this invocation holds. It renews itself in the background every third of the lease;
 * {@link confirm} before each Graph write makes sure it still holds (renewing at once if a renewal
 * is due), so a holder that stalled past its lease stops instead of writing beside its successor.
 */
export class HeldDelivery {
  /** An earlier claim was made on this copy: its holder may have created the message. */
  readonly mayExist: boolean;
  readonly #store: ImportStore;
  readonly #leaseMs: number;
  readonly #clock: () => Date;
  #record: MailboxDelivery;
  #etag: string;
  #lost: DeliveryClaimLostError | undefined;
  #writing: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;

  constructor(store: ImportStore, record: MailboxDelivery, etag: string, options: { mayExist: boolean; leaseMs: number; clock: () => Date }) {
    this.#store = store;
    this.#record = record;
    this.#etag = etag;
    this.mayExist = options.mayExist;
    this.#leaseMs = options.leaseMs;
    this.#clock = options.clock;
    // A failed background renewal is not fatal by itself: confirm() renews again and reports.
    this.#timer = setInterval(() => this.#renew().catch(() => undefined), Math.floor(this.#leaseMs / 3));
    this.#timer.unref();
  }

  get attempts(): number {
    return this.#record.attempts;
  }

  /** Resolves while the claim holds, renewing it first if a renewal is due; rejects once it is lost. */
  async confirm(): Promise<void> {
    if (this.#lost) throw this.#lost;
    const left = Date.parse(this.#record.leaseUntil ?? '') - this.#clock().getTime();
    if (!(left > (this.#leaseMs * 2) / 3)) await this.#renew();
    if (this.#lost) throw this.#lost;
  }

  /**
   * Records the copy imported (final), if the claim still holds; rejects otherwise. With
   * `outcome`, the item's outcome is written in the same table transaction (same partition): both
   * records, or neither — one request instead of two for an item with one mailbox.
   */
  async complete(messageId: string, outcome?: ItemOutcome): Promise<MailboxDelivery> {
    this.#stop();
    const imported = (current: MailboxDelivery): MailboxDelivery => ({ ...withoutLease(current), status: 'imported', messageId, updatedAt: this.#clock().toISOString() });
    if (outcome === undefined) await this.#write(imported);
    else {
      // The record is final: nothing writes it after this, so its new ETag is not needed.
      await this.#write(imported, async (record, etag) => ((await this.#store.replaceDeliveryWithOutcome(record, etag, outcome)) ? etag : undefined));
    }
    if (this.#lost) throw this.#lost;
    return this.#record;
  }

  /** Gives the copy up after a failure, so that whoever waits for it goes on at once. Stays `pending`. */
  async release(): Promise<void> {
    this.#stop();
    await this.#write((current) => (current.status === 'imported' ? undefined : { ...withoutLease(current), updatedAt: this.#clock().toISOString() }));
  }

  #renew(): Promise<void> {
    return this.#write((current) => {
      if (current.status === 'imported' || current.leaseUntil === undefined) return undefined;
      const now = this.#clock().getTime();
      return { ...current, updatedAt: new Date(now).toISOString(), leaseUntil: new Date(now + this.#leaseMs).toISOString() };
    });
  }

  /**
   * One conditional write at a time, each on the ETag the previous one returned; `change` sees
   * the record as last written and returns undefined to write nothing.
   */
  #write(
    change: (current: MailboxDelivery) => MailboxDelivery | undefined,
    send: (record: MailboxDelivery, etag: string) => Promise<string | undefined> = (record, etag) => this.#store.replaceDelivery(record, etag),
  ): Promise<void> {
    const write = this.#writing.then(async () => {
      if (this.#lost) return;
      const record = change(this.#record);
      if (record === undefined) return;
      const etag = await send(record, this.#etag);
      if (etag === undefined) {
        this.#stop();
        this.#lost = new DeliveryClaimLostError(
          `the claim on this copy (claim ${this.#record.attempts}) was taken over by another invocation after it expired`,
        );
        return;
      }
      this.#etag = etag;
      this.#record = record;
    });
    // The chain goes on after a failed write; the caller of this one sees its failure.
    this.#writing = write.catch(() => undefined);
    return write;
  }

  #stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

function withoutLease(record: MailboxDelivery): MailboxDelivery {
  const copy = { ...record };
  delete copy.leaseUntil;
  return copy;
}
