import { setTimeout as sleep } from 'node:timers/promises';

/**
 * At most `limit` tasks in flight per key (Graph allows 4 concurrent requests per mailbox per
 * app); later tasks wait their turn in arrival order. A key can be paused (a 429's Retry-After):
 * no task of it starts before the pause ends.
 */
export class KeyedLimiter {
  readonly #slots = new Map<string, { active: number; waiting: Array<() => void> }>();
  readonly #pausedUntil = new Map<string, number>();

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const slot = this.#slots.get(key) ?? { active: 0, waiting: [] };
    this.#slots.set(key, slot);
    if (slot.active >= this.limit) await new Promise<void>((resolve) => slot.waiting.push(resolve));
    else slot.active++;
    try {
      await this.#waitOutPause(key);
      return await task();
    } finally {
      const next = slot.waiting.shift();
      if (next) next();
      else if (--slot.active === 0) this.#slots.delete(key);
    }
  }

  /** No task of `key` starts before `untilMs` (milliseconds since the epoch). */
  async backOff(key: string, untilMs: number): Promise<void> {
    if (untilMs > (this.#pausedUntil.get(key) ?? 0)) this.#pausedUntil.set(key, untilMs);
  }

  inFlight(key: string): number {
    return this.#slots.get(key)?.active ?? 0;
  }

  /** Tasks of `key` waiting for a slot. */
  waiting(key: string): number {
    return this.#slots.get(key)?.waiting.length ?? 0;
  }

  async #waitOutPause(key: string): Promise<void> {
    for (;;) {
      const until = this.#pausedUntil.get(key);
      if (until === undefined) return;
      const wait = until - Date.now();
      if (wait <= 0) {
        this.#pausedUntil.delete(key);
        return;
      }
      await sleep(wait);
    }
  }
}
