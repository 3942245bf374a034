import { randomUUID } from 'node:crypto';
import { RestError, odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { KeyedLimiter } from '../platform/concurrency/keyed-limiter';
import { RETRY_BUDGETS, RetryBudgetExhaustedError, type RetrySchedule } from '../platform/resilience';
import { DEFAULT_MAILBOX_CONCURRENCY, type MailboxLimiter, type MailboxRequestCost } from './mailbox-limiter';

/**
 * One of a mailbox's slots, a row in partition `{mailbox}` of the limits table. A slot is held
 * while `leaseUntil` is in the future; it also counts the requests and upload bytes admitted
 * through it per minute, so the four rows of a mailbox, read in one query, tell the mailbox's
 * concurrency, budgets and back-off at once.
 */
interface SlotEntity {
  partitionKey: string;
  rowKey: string;
  holder?: string;
  /** Milliseconds since the epoch; the slot is free from then (a crashed holder's slot frees itself). */
  leaseUntil?: number;
  /** A 429's Retry-After: no request to the mailbox starts before this. */
  pausedUntil?: number;
  /** JSON `{ minute: requests }`, minutes since the epoch, the last 10 minutes. */
  requests?: string;
  /** JSON `{ minute: bytes }`, the last 5 minutes. */
  bytes?: string;
  etag?: string;
}

type Buckets = Record<string, number>;

interface Claim {
  mailbox: string;
  rowKey: string;
  holder: string;
  etag: string;
  pausedUntil: number;
  requests: Buckets;
  bytes: Buckets;
  /** The other slots' totals at the last read, and when it was. */
  others: { requests: number; bytes: number; readAt: number };
  /** Writes to the row (hand-off, lease extension, release) one after another, each with the newest ETag. */
  writes: Promise<void>;
  /** The lease the last write sent; and when that write was sent. */
  leaseUntil: number;
  writtenAt: number;
  /** A write found the row changed by someone else (a back-off): it is not handed on again. */
  stale: boolean;
  /** While it lingers unused after its request (no other was waiting): the timer that releases it. */
  linger?: NodeJS.Timeout;
}

/** A slot as this instance's release left it: still so while its ETag is unchanged. */
interface Released {
  rowKey: string;
  etag: string;
  pausedUntil: number;
  requests: Buckets;
  bytes: Buckets;
  others: Claim['others'];
}

export interface TableMailboxLimiterOptions {
  /** Requests in flight per mailbox across every instance. Default 4. */
  concurrency?: number;
  /** Default 10,000 per 10 minutes. */
  requestsPer10Min?: number;
  /** Default 150 MiB per 5 minutes. */
  uploadBytesPer5Min?: number;
  /** How long a claimed slot stays held without being extended; bounds what a crashed instance holds. Default 60 s. */
  leaseMs?: number;
  /** Longest pause between looks at a full mailbox. Default 400 ms. */
  maxPollMs?: number;
  /** How old the last read of a mailbox may be for a finished request's slot to pass to the next waiting one here without reading again. Default 5 s. */
  handOffFreshMs?: number;
  /**
   * A finished request's slot passes to a request of this instance already waiting for it
   * without any table write while the slot's row was written less than this long ago (and its
   * lease has more than half its time left): the requests counted meanwhile go with the next
   * write. Bounds how late this instance learns of another's back-off through its own writes.
   * Default 1 s; 0 writes on every hand-off.
   */
  memoryHandOffMs?: number;
  /**
   * How old the last read of a mailbox may be for a slot this instance released to be claimed
   * again with one conditional write, without reading the mailbox first. Only while that read
   * found the budgets at most half used. Default 30 s.
   */
  reclaimFreshMs?: number;
  /**
   * How long a finished request's slot stays ours, unused, when no other request of this
   * instance waits for the mailbox: the next one that comes meanwhile gets it with one write
   * (a hand-off) instead of a release and a claim. Other instances may wait this much longer for
   * the slot. Default 250 ms; 0 releases at once.
   */
  lingerMs?: number;
  now?: () => number;
}

/** What the limiter did, for tests and the benchmark. */
export interface TableMailboxLimiterStats {
  /** Slots claimed after reading the mailbox's rows. */
  claims: number;
  /** Slots passed from a finished request to the next one of this instance with one write. */
  handOffs: number;
  /** Of those, hand-offs that read the mailbox first because the last read was too old (a read and a write, no release). */
  refreshedHandOffs: number;
  /** Of those, hand-offs within the instance without a table write (the row was written recently; the count goes with the next write). */
  memoryHandOffs: number;
  /** Reads of a busy mailbox made beside its requests, so that hand-offs find a recent read. */
  backgroundReads: number;
  /** Slots this instance had released, claimed again with one conditional write (no read). */
  reclaims: number;
  /** Reads of a mailbox that found it full, over budget, or backing off. */
  waits: { concurrency: number; budget: number; backOff: number };
  /** Conditional writes that lost to another instance. */
  conflicts: number;
  /** Table operations sent (queries, writes). */
  storageOperations: number;
}

const MINUTE = 60_000;
const REQUEST_WINDOW_MINUTES = 10;
const UPLOAD_WINDOW_MINUTES = 5;

/**
 * Graph's per-mailbox limits kept by every instance of the app together, through Table Storage:
 * each mailbox has `concurrency` slot rows; a request claims a free one with a conditional write
 * (ETag) and frees it after, so at most 4 requests are in flight per mailbox across the fleet.
 * The slots count admitted requests and bytes per minute, so the budgets are shared as well,
 * and a 429's Retry-After is written into every slot, so every instance backs off.
 * Within one instance a local queue comes first: only as many requests as there are slots ever
 * look at the table, and a finished request hands its slot to the next waiting one with one
 * conditional write instead of a release, a read and a claim. See docs/architecture.md.
 */
export class TableMailboxLimiter implements MailboxLimiter {
  readonly stats: TableMailboxLimiterStats = {
    claims: 0, handOffs: 0, refreshedHandOffs: 0, memoryHandOffs: 0, backgroundReads: 0, reclaims: 0, waits: { concurrency: 0, budget: 0, backOff: 0 }, conflicts: 0, storageOperations: 0,
  };
  readonly #table: TableClient;
  readonly #concurrency: number;
  readonly #requestsPer10Min: number;
  readonly #uploadBytesPer5Min: number;
  readonly #leaseMs: number;
  readonly #maxPollMs: number;
  readonly #handOffFreshMs: number;
  readonly #memoryHandOffMs: number;
  readonly #reclaimFreshMs: number;
  readonly #lingerMs: number;
  readonly #now: () => number;
  readonly #local: KeyedLimiter;
  readonly #instance = randomUUID();
  readonly #idle = new Map<string, Claim[]>();
  /** Slots this instance released, as its release left them (their ETag), per mailbox. */
  readonly #released = new Map<string, Released[]>();
  readonly #releases = new Set<Promise<void>>();
  /** Slots this instance holds, per mailbox: what a background read brings up to date. */
  readonly #held = new Map<string, Set<Claim>>();
  /** Background reads under way, per mailbox (one at a time). */
  readonly #reading = new Map<string, Promise<void>>();
  #holders = 0;
  #tableReady: Promise<void> | undefined;

  constructor(table: TableClient, options: TableMailboxLimiterOptions = {}) {
    this.#table = table;
    this.#concurrency = options.concurrency ?? DEFAULT_MAILBOX_CONCURRENCY;
    this.#requestsPer10Min = options.requestsPer10Min ?? 10_000;
    this.#uploadBytesPer5Min = options.uploadBytesPer5Min ?? 150 * 1024 * 1024;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#maxPollMs = options.maxPollMs ?? 400;
    this.#handOffFreshMs = options.handOffFreshMs ?? 5_000;
    this.#memoryHandOffMs = options.memoryHandOffMs ?? 1_000;
    this.#reclaimFreshMs = options.reclaimFreshMs ?? 30_000;
    this.#lingerMs = options.lingerMs ?? 250;
    this.#now = options.now ?? Date.now;
    this.#local = new KeyedLimiter(this.#concurrency);
  }

  run<T>(mailbox: string, task: () => Promise<T>, cost: MailboxRequestCost = {}, schedule: RetrySchedule = RETRY_BUDGETS.import.begin()): Promise<T> {
    return this.#local.run(mailbox, async () => {
      const claim = await this.#claim(mailbox, cost.uploadBytes ?? 0, schedule);
      const extension = setInterval(() => {
        this.#write(claim, () => this.#extend(claim)).catch(() => {
          claim.stale = true;
        });
      }, this.#leaseMs / 3);
      extension.unref();
      try {
        return await task();
      } finally {
        clearInterval(extension);
        this.#done(claim);
      }
    });
  }

  async backOff(mailbox: string, untilMs: number): Promise<void> {
    await this.#local.backOff(mailbox, untilMs);
    await this.#ensureTable();
    const partitionKey = partitionOf(mailbox);
    this.#released.delete(mailbox);
    // One transaction of the mailbox's partition writes all its rows at once. A merge changes
    // each row's ETag: a slot held or about to be handed on or reclaimed here or in another
    // instance cannot be reused without reading the rows again, and the back-off with them.
    this.stats.storageOperations += 1;
    await this.#table.submitTransaction(
      this.#slotKeys().map((rowKey) => ['upsert', { partitionKey, rowKey, pausedUntil: untilMs }, 'Merge'] as const satisfies TransactionAction),
    );
  }

  /** Waits until every slot released so far is written back; for a clean shutdown and tests. */
  async flush(): Promise<void> {
    for (const claims of this.#idle.values()) {
      for (const claim of claims.splice(0)) {
        clearTimeout(claim.linger);
        this.#release(claim);
      }
    }
    await Promise.allSettled([...this.#reading.values()]);
    await Promise.allSettled([...this.#releases]);
  }

  async #claim(mailbox: string, uploadBytes: number, schedule: RetrySchedule): Promise<Claim> {
    const idle = this.#idle.get(mailbox)?.shift();
    if (idle !== undefined) {
      // A slot that lingered had no request waiting for it: nothing proves yet that no back-off
      // came meanwhile, so its hand-off write goes first (a write that finds the row changed
      // gives the slot back) rather than beside the request.
      const lingered = idle.linger !== undefined;
      clearTimeout(idle.linger);
      idle.linger = undefined;
      const handed = await this.#handOff(idle, uploadBytes, lingered);
      if (handed === 'handed') return idle;
      if (handed === 'refresh' && (await this.#refreshHandOff(idle, uploadBytes))) return idle;
    }
    await this.#ensureTable();
    const reclaimed = await this.#reclaim(mailbox, uploadBytes);
    if (reclaimed !== undefined) return reclaimed;
    let pollMs = 10;
    for (;;) {
      const rows = await this.#readRows(mailbox);
      const now = this.#now();
      const { pausedUntil, requests, bytes } = readMailbox(rows, now);
      if (pausedUntil > now) {
        this.stats.waits.backOff += 1;
        await this.#wait(schedule, pausedUntil - now + Math.random() * 50, mailbox, 'its back-off');
        continue;
      }
      const minute = Math.floor(now / MINUTE);
      if (requests + 1 > this.#requestsPer10Min || (uploadBytes > 0 && bytes + uploadBytes > this.#uploadBytesPer5Min)) {
        // The budgets are counted per minute: room appears when the oldest minute leaves the window.
        this.stats.waits.budget += 1;
        await this.#wait(schedule, Math.min(this.#maxPollMs * 10, MINUTE - (now % MINUTE) + 10), mailbox, 'room in its budgets');
        continue;
      }
      const free = this.#slotKeys().filter((key) => (rows.get(key)?.leaseUntil ?? 0) <= now);
      if (free.length === 0) {
        this.stats.waits.concurrency += 1;
        await this.#wait(schedule, pollMs / 2 + Math.random() * pollMs, mailbox, 'a free slot');
        pollMs = Math.min(this.#maxPollMs, pollMs * 2);
        continue;
      }
      const rowKey = free[Math.floor(Math.random() * free.length)] as string;
      const current = rows.get(rowKey);
      const slotRequests = windowed(parseBuckets(current?.requests), minute, REQUEST_WINDOW_MINUTES);
      const slotBytes = windowed(parseBuckets(current?.bytes), minute, UPLOAD_WINDOW_MINUTES);
      const claim: Claim = {
        mailbox, rowKey, holder: `${this.#instance}:${++this.#holders}`, etag: '', pausedUntil,
        requests: slotRequests, bytes: slotBytes,
        others: { requests: requests - total(slotRequests), bytes: bytes - total(slotBytes), readAt: now },
        writes: Promise.resolve(),
        stale: false,
        leaseUntil: now + this.#leaseMs,
        writtenAt: now,
      };
      this.#count(claim, minute, uploadBytes);
      const entity = this.#entityOf(claim);
      try {
        this.stats.storageOperations += 1;
        const written = current === undefined
          ? await this.#table.createEntity<SlotEntity>(entity)
          : await this.#table.updateEntity<SlotEntity>(entity, 'Replace', { etag: current.etag as string });
        claim.etag = written.etag as string;
        this.stats.claims += 1;
        this.#hold(claim);
        // Its entry among the released slots, if any, holds an older ETag now.
        const released = this.#released.get(mailbox);
        if (released !== undefined) this.#released.set(mailbox, released.filter((r) => r.rowKey !== rowKey));
        return claim;
      } catch (err) {
        if (!isConflict(err)) throw err;
        this.stats.conflicts += 1;
      }
    }
  }

  /**
   * Passes a slot just finished with here to the next request. The slot's lease is still ours,
   * so the request may start at once: the write that extends the lease and counts the request
   * goes out beside it. That write fails when anything wrote the row since (a back-off, which
   * changes every slot row), and the slot is then released, not handed on again: at most one
   * request per slot can start in the moment before an instance learns of another's back-off.
   * When the last read is too old to trust the other slots' budget figures, the caller reads
   * the mailbox again first ({@link #refreshHandOff}) rather than releasing and claiming afresh.
   */
  async #handOff(claim: Claim, uploadBytes: number, confirmFirst: boolean): Promise<'handed' | 'refresh' | 'released'> {
    const now = this.#now();
    const minute = Math.floor(now / MINUTE);
    claim.requests = windowed(claim.requests, minute, REQUEST_WINDOW_MINUTES);
    claim.bytes = windowed(claim.bytes, minute, UPLOAD_WINDOW_MINUTES);
    if (claim.stale || claim.pausedUntil > now) {
      this.#release(claim);
      return 'released';
    }
    if (now - claim.others.readAt > this.#handOffFreshMs) return 'refresh';
    if (!this.#withinBudget(claim.others, claim.requests, claim.bytes, uploadBytes, 0.9)) {
      this.#release(claim);
      return 'released';
    }
    // Counts not yet written could mislead the other instances only near the budgets.
    const roomy = this.#withinBudget(claim.others, claim.requests, claim.bytes, uploadBytes, 0.5);
    this.#count(claim, minute, uploadBytes);
    this.#readBeside(claim, now);
    if (!confirmFirst && roomy && now - claim.writtenAt < this.#memoryHandOffMs && claim.leaseUntil - now > this.#leaseMs / 2) {
      // The request was waiting here for this very slot, whose row was written moments ago and
      // whose lease has most of its time left: nothing to write before it starts. Its count goes
      // with the slot's next write (a later hand-off, an extension, the release), which, like a
      // background read, tells of any back-off written since.
      this.stats.handOffs += 1;
      this.stats.memoryHandOffs += 1;
      return 'handed';
    }
    this.#renew(claim, now);
    const entity = this.#entityOf(claim);
    const write = this.#write(claim, async () => {
      this.stats.storageOperations += 1;
      try {
        const written = await this.#table.updateEntity<SlotEntity>(entity, 'Replace', { etag: claim.etag });
        claim.etag = written.etag as string;
      } catch (err) {
        if (!isConflict(err)) throw err;
        this.stats.conflicts += 1;
        claim.stale = true;
      }
    }).catch(() => {
      claim.stale = true;
    });
    if (confirmFirst) {
      await write;
      if (claim.stale) {
        this.#release(claim);
        return 'released';
      }
    }
    this.stats.handOffs += 1;
    return 'handed';
  }

  /**
   * A hand-off whose last read is too old: the mailbox is read again (the slot's lease is still
   * ours meanwhile), and the slot passes on with the conditional write if nothing wrote its row
   * since and the mailbox is neither backing off nor over budget. A read and a write, where a
   * release and a fresh claim would cost three requests and a race with the other instances.
   */
  async #refreshHandOff(claim: Claim, uploadBytes: number): Promise<boolean> {
    await claim.writes;
    const rows = await this.#readRows(claim.mailbox);
    const now = this.#now();
    const row = rows.get(claim.rowKey);
    const read = readMailbox(rows, now, claim.rowKey);
    if (claim.stale || row === undefined || row.etag !== claim.etag || read.pausedUntil > now) {
      this.#release(claim);
      return false;
    }
    claim.others = { requests: read.otherRequests, bytes: read.otherBytes, readAt: now };
    claim.pausedUntil = read.pausedUntil;
    if (!this.#withinBudget(claim.others, claim.requests, claim.bytes, uploadBytes, 1)) {
      this.#release(claim);
      return false;
    }
    this.#count(claim, Math.floor(now / MINUTE), uploadBytes);
    this.#renew(claim, now);
    try {
      this.stats.storageOperations += 1;
      const written = await this.#table.updateEntity<SlotEntity>(this.#entityOf(claim), 'Replace', { etag: claim.etag });
      claim.etag = written.etag as string;
    } catch (err) {
      if (!isConflict(err)) throw err;
      this.stats.conflicts += 1;
      claim.stale = true;
      this.#release(claim);
      return false;
    }
    this.stats.handOffs += 1;
    this.stats.refreshedHandOffs += 1;
    return true;
  }

  /**
   * Claims again a slot this instance released, with one conditional write on the ETag its
   * release left: the write succeeds only if nobody wrote the row since, so the slot is still
   * free and no back-off came (a back-off rewrites every row). Only while the read the budget
   * figures come from is recent and found the budgets at most half used; otherwise, or when
   * the write loses, the mailbox is read as for any claim.
   */
  async #reclaim(mailbox: string, uploadBytes: number): Promise<Claim | undefined> {
    const released = this.#released.get(mailbox);
    const now = this.#now();
    const minute = Math.floor(now / MINUTE);
    for (let slot = released?.shift(); slot !== undefined; slot = released?.shift()) {
      if (now - slot.others.readAt > this.#reclaimFreshMs || slot.pausedUntil > now) continue;
      const requests = windowed(slot.requests, minute, REQUEST_WINDOW_MINUTES);
      const bytes = windowed(slot.bytes, minute, UPLOAD_WINDOW_MINUTES);
      if (!this.#withinBudget(slot.others, requests, bytes, uploadBytes, 0.5)) continue;
      const claim: Claim = {
        mailbox, rowKey: slot.rowKey, holder: `${this.#instance}:${++this.#holders}`, etag: slot.etag, pausedUntil: slot.pausedUntil,
        requests, bytes, others: slot.others, writes: Promise.resolve(), stale: false, leaseUntil: now + this.#leaseMs, writtenAt: now,
      };
      this.#count(claim, minute, uploadBytes);
      try {
        this.stats.storageOperations += 1;
        const written = await this.#table.updateEntity<SlotEntity>(this.#entityOf(claim), 'Replace', { etag: slot.etag });
        claim.etag = written.etag as string;
        this.stats.reclaims += 1;
        this.#hold(claim);
        return claim;
      } catch (err) {
        if (!isConflict(err)) throw err;
        // Claimed or backed off elsewhere since: the others are no better known; read the mailbox.
        this.#released.delete(mailbox);
        return undefined;
      }
    }
    return undefined;
  }

  /**
   * Waiting for a mailbox's slot is not a retry (nothing failed; no attempt is counted), but it
   * spends the operation's time budget and ends with its cancellation like one.
   */
  async #wait(schedule: RetrySchedule, ms: number, mailbox: string, what: string): Promise<void> {
    if (await schedule.wait(ms, what)) return;
    throw new RetryBudgetExhaustedError(schedule.stage, schedule.exhaustedBecause ?? 'no time left', schedule.failures,
      new Error(`mailbox ${mailbox} gave no slot in time`));
  }

  #withinBudget(others: Claim['others'], requests: Buckets, bytes: Buckets, uploadBytes: number, share: number): boolean {
    return others.requests + total(requests) + 1 <= this.#requestsPer10Min * share
      && (uploadBytes === 0 || others.bytes + total(bytes) + uploadBytes <= this.#uploadBytesPer5Min * share);
  }

  #count(claim: Claim, minute: number, uploadBytes: number): void {
    add(claim.requests, minute, 1);
    if (uploadBytes > 0) add(claim.bytes, minute, uploadBytes);
  }

  async #readRows(mailbox: string): Promise<Map<string, SlotEntity>> {
    this.stats.storageOperations += 1;
    const rows = new Map<string, SlotEntity>();
    for await (const row of this.#table.listEntities<SlotEntity>({ queryOptions: { filter: odata`PartitionKey eq ${partitionOf(mailbox)}` } })) {
      rows.set(row.rowKey, row);
    }
    return rows;
  }

  /** A request finished: its slot goes to the next request waiting here, or back to everyone. */
  #done(claim: Claim): void {
    const waiting = this.#local.waiting(claim.mailbox) > 0;
    if (claim.stale || (!waiting && this.#lingerMs <= 0)) {
      this.#release(claim);
      return;
    }
    const idle = this.#idle.get(claim.mailbox) ?? [];
    idle.push(claim);
    this.#idle.set(claim.mailbox, idle);
    if (!waiting) {
      // Nobody here wants it yet: keep it a moment for the next request, then give it back.
      claim.linger = setTimeout(() => {
        const list = this.#idle.get(claim.mailbox);
        const at = list?.indexOf(claim) ?? -1;
        if (at < 0) return;
        list!.splice(at, 1);
        if (list!.length === 0) this.#idle.delete(claim.mailbox);
        this.#release(claim);
      }, this.#lingerMs);
      claim.linger.unref();
    }
  }

  #release(claim: Claim): void {
    this.#held.get(claim.mailbox)?.delete(claim);
    // The counts of requests handed on in memory since the last write go with the release.
    const counts = { requests: JSON.stringify(claim.requests), bytes: JSON.stringify(claim.bytes) };
    const release = this.#write(claim, async () => {
      this.stats.storageOperations += 1;
      try {
        const written = await this.#table.updateEntity<SlotEntity>({ partitionKey: partitionOf(claim.mailbox), rowKey: claim.rowKey, holder: '', leaseUntil: 0, ...counts }, 'Merge', { etag: claim.etag });
        if (!claim.stale) this.#remember(claim, written.etag as string);
      } catch (err) {
        if (!isConflict(err)) throw err;
        // Written since (a back-off): free it if it is still ours; otherwise the lease runs out.
        this.stats.storageOperations += 2;
        const row = await this.#table.getEntity<SlotEntity>(partitionOf(claim.mailbox), claim.rowKey);
        if (row.holder !== claim.holder) return;
        await this.#table.updateEntity<SlotEntity>({ partitionKey: row.partitionKey, rowKey: row.rowKey, holder: '', leaseUntil: 0, ...counts }, 'Merge', { etag: row.etag as string });
      }
    }).catch(() => undefined);
    this.#releases.add(release);
    void release.finally(() => this.#releases.delete(release));
  }

  /** A slot released as this instance last saw it, for {@link #reclaim}; one entry per slot. */
  #remember(claim: Claim, etag: string): void {
    const released = (this.#released.get(claim.mailbox) ?? []).filter((r) => r.rowKey !== claim.rowKey);
    released.push({ rowKey: claim.rowKey, etag, pausedUntil: claim.pausedUntil, requests: claim.requests, bytes: claim.bytes, others: claim.others });
    this.#released.set(claim.mailbox, released);
  }

  /** A request running long: its lease is extended, and the counts handed on in memory written with it. */
  async #extend(claim: Claim): Promise<void> {
    this.stats.storageOperations += 1;
    const now = this.#now();
    this.#renew(claim, now);
    const written = await this.#table.updateEntity<SlotEntity>(this.#entityOf(claim), 'Replace', { etag: claim.etag });
    claim.etag = written.etag as string;
  }

  #hold(claim: Claim): void {
    const held = this.#held.get(claim.mailbox) ?? new Set<Claim>();
    held.add(claim);
    this.#held.set(claim.mailbox, held);
  }

  /**
   * A busy mailbox is read again beside its requests once its last read is half as old as
   * hand-offs allow, so that hand-offs keep finding a recent read and never wait for one: the
   * read brings every slot held here up to date with the other slots' budget use and with any
   * back-off written since (a slot that learns of one is released at its next hand-off).
   */
  #readBeside(claim: Claim, now: number): void {
    const mailbox = claim.mailbox;
    if (now - claim.others.readAt < this.#handOffFreshMs / 2 || this.#reading.has(mailbox)) return;
    const read = this.#readRows(mailbox)
      .then((rows) => {
        const at = this.#now();
        this.stats.backgroundReads += 1;
        for (const held of this.#held.get(mailbox) ?? []) {
          const seen = readMailbox(rows, at, held.rowKey);
          held.pausedUntil = Math.max(held.pausedUntil, seen.pausedUntil);
          held.others = { requests: seen.otherRequests, bytes: seen.otherBytes, readAt: at };
        }
      })
      // A failed read changes nothing: the next hand-off reads first, as without it.
      .catch(() => undefined)
      .finally(() => this.#reading.delete(mailbox));
    this.#reading.set(mailbox, read);
  }

  /** Row writes of one claim, one after another (each needs the ETag the last one returned). */
  #write(claim: Claim, write: () => Promise<void>): Promise<void> {
    const next = claim.writes.then(write, write);
    claim.writes = next.catch(() => undefined);
    return next;
  }

  /** The lease the claim's next write sends, from `now`. */
  #renew(claim: Claim, now: number): void {
    claim.leaseUntil = now + this.#leaseMs;
    claim.writtenAt = now;
  }

  /** The claim's row as its next write leaves it. */
  #entityOf(claim: Claim): SlotEntity {
    return {
      partitionKey: partitionOf(claim.mailbox), rowKey: claim.rowKey, holder: claim.holder, leaseUntil: claim.leaseUntil,
      pausedUntil: claim.pausedUntil, requests: JSON.stringify(claim.requests), bytes: JSON.stringify(claim.bytes),
    };
  }

  #slotKeys(): string[] {
    return Array.from({ length: this.#concurrency }, (_, i) => `slot-${i}`);
  }

  #ensureTable(): Promise<void> {
    this.#tableReady ??= this.#table.createTable().catch((err: unknown) => {
      this.#tableReady = undefined;
      throw err;
    });
    return this.#tableReady;
  }
}

/** Table keys may not hold / \ # ? or control characters; directory ids are GUIDs, encoded anyway. */
function partitionOf(mailbox: string): string {
  return encodeURIComponent(mailbox);
}

/**
 * What one read of a mailbox's rows says: its back-off, and the requests and upload bytes
 * admitted in the windows, in all slots and in the slots other than `own`.
 */
function readMailbox(rows: ReadonlyMap<string, SlotEntity>, now: number, own?: string): {
  pausedUntil: number; requests: number; bytes: number; otherRequests: number; otherBytes: number;
} {
  const minute = Math.floor(now / MINUTE);
  let requests = 0;
  let bytes = 0;
  let otherRequests = 0;
  let otherBytes = 0;
  for (const row of rows.values()) {
    const r = total(windowed(parseBuckets(row.requests), minute, REQUEST_WINDOW_MINUTES));
    const b = total(windowed(parseBuckets(row.bytes), minute, UPLOAD_WINDOW_MINUTES));
    requests += r;
    bytes += b;
    if (row.rowKey !== own) {
      otherRequests += r;
      otherBytes += b;
    }
  }
  return { pausedUntil: Math.max(0, ...[...rows.values()].map((r) => r.pausedUntil ?? 0)), requests, bytes, otherRequests, otherBytes };
}

function parseBuckets(text: string | undefined): Buckets {
  if (text === undefined || text === '') return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Buckets) : {};
  } catch {
    return {};
  }
}

/**
 * The buckets of the last `minutes` whole minutes and the current one: one minute more than the
 * window, so the count never falls short of what Exchange's sliding window holds.
 */
function windowed(buckets: Buckets, minute: number, minutes: number): Buckets {
  const out: Buckets = {};
  for (const [key, value] of Object.entries(buckets)) if (Number(key) >= minute - minutes) out[key] = value;
  return out;
}

function total(buckets: Buckets): number {
  return Object.values(buckets).reduce((sum, n) => sum + n, 0);
}

function add(buckets: Buckets, minute: number, n: number): void {
  buckets[String(minute)] = (buckets[String(minute)] ?? 0) + n;
}

/** 409 (created meanwhile), 412 (written meanwhile) or 404 (gone): another writer won. */
function isConflict(err: unknown): boolean {
  return err instanceof RestError && (err.statusCode === 409 || err.statusCode === 412 || err.statusCode === 404);
}
