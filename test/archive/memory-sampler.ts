import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Samples how much memory the process retains while something runs. Each sample first forces a
 * full garbage collection, so the figure is what is still referenced (what a whole buffered file
 * would show), not garbage waiting for the collector. Buffers' memory is released a little after
 * the collection that frees them, so samples may overstate (never understate) what is held; the
 * baseline is taken once that release has settled.
 */
export class RetainedMemorySampler {
  readonly #gc: () => void;
  readonly #baseline: number;
  readonly #baselineRss: number;
  #peak: number;
  #peakRss: number;
  #timer: NodeJS.Timeout | undefined;

  private constructor(gc: () => void) {
    this.#gc = gc;
    const start = process.memoryUsage();
    this.#baseline = this.#peak = start.heapUsed + start.external;
    this.#baselineRss = this.#peakRss = start.rss;
  }

  static async start(intervalMs = 25): Promise<RetainedMemorySampler> {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let previous = Infinity;
    // Collect until the retained figure stops falling (freed buffers are returned lazily).
    for (let round = 0; round < 10; round += 1) {
      gc();
      await sleep(20);
      const { heapUsed, external } = process.memoryUsage();
      if (heapUsed + external >= previous - 64 * 1024) break;
      previous = heapUsed + external;
    }
    const sampler = new RetainedMemorySampler(gc);
    sampler.#timer = setInterval(() => sampler.#sample(), intervalMs);
    return sampler;
  }

  /** Stops sampling; peak growth over the baseline in bytes: retained heap + external, and RSS. */
  stop(): { retainedGrowth: number; rssGrowth: number } {
    clearInterval(this.#timer);
    this.#sample();
    return { retainedGrowth: this.#peak - this.#baseline, rssGrowth: this.#peakRss - this.#baselineRss };
  }

  #sample(): void {
    this.#gc();
    const now = process.memoryUsage();
    this.#peak = Math.max(this.#peak, now.heapUsed + now.external);
    this.#peakRss = Math.max(this.#peakRss, now.rss);
  }
}
