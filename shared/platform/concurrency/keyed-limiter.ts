/**
 * At most `limit` tasks in flight per key (Graph allows 4 concurrent requests per mailbox per
 * app); later tasks wait their turn in arrival order.
 */
export class KeyedLimiter {
  readonly #slots = new Map<string, { active: number; waiting: Array<() => void> }>();

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const slot = this.#slots.get(key) ?? { active: 0, waiting: [] };
    this.#slots.set(key, slot);
    if (slot.active >= this.limit) await new Promise<void>((resolve) => slot.waiting.push(resolve));
    else slot.active++;
    try {
      return await task();
    } finally {
      const next = slot.waiting.shift();
      if (next) next();
      else if (--slot.active === 0) this.#slots.delete(key);
    }
  }

  inFlight(key: string): number {
    return this.#slots.get(key)?.active ?? 0;
  }
}
