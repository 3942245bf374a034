/** One reading of process.memoryUsage(), in bytes. */
export interface MemoryReading {
  rss: number;
  heapUsed: number;
  /** Memory of Buffers and other objects outside the V8 heap (includes arrayBuffers). */
  external: number;
  arrayBuffers: number;
}

export interface MemoryPeaks {
  baseline: MemoryReading;
  /** The largest value of each figure seen while sampling (each on its own; not one moment). */
  peak: MemoryReading;
  samples: number;
}

function read(): MemoryReading {
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, external, arrayBuffers };
}

/**
 * Samples this process's memory at a fixed interval while something runs and keeps the peaks.
 * Nothing is collected on purpose while sampling: the figures are what the process really
 * reaches, garbage included, which is what an instance's memory limit meets.
 */
export class MemorySampler {
  readonly #baseline: MemoryReading;
  readonly #peak: MemoryReading;
  readonly #timer: NodeJS.Timeout;
  #samples = 0;

  private constructor(intervalMs: number) {
    this.#baseline = read();
    this.#peak = { ...this.#baseline };
    this.#timer = setInterval(() => this.#sample(), intervalMs);
  }

  /** Takes the baseline now and samples every `intervalMs`. */
  static start(intervalMs: number): MemorySampler {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new RangeError(`MemorySampler: intervalMs must be positive, got ${intervalMs}`);
    return new MemorySampler(intervalMs);
  }

  stop(): MemoryPeaks {
    clearInterval(this.#timer);
    this.#sample();
    return { baseline: this.#baseline, peak: { ...this.#peak }, samples: this.#samples };
  }

  #sample(): void {
    this.#samples += 1;
    const now = read();
    for (const key of Object.keys(now) as (keyof MemoryReading)[]) this.#peak[key] = Math.max(this.#peak[key], now[key]);
  }
}
