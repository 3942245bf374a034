import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Samples how much memory the process retains while something runs. A sample whose heap +
 * external memory has grown past `collectAbove` forces a full garbage collection first, so the
 * figure is what is still referenced (what a whole buffered file would show), not garbage
 * waiting for the collector. A sample below it is kept as it is: garbage included, it can only
 * overstate what is retained, and it is already under `collectAbove`. (A full collection per
 * sample costs tens of milliseconds on a test process's heap: at every 25 ms it was most of the
 * CPU a streamed 40 MB file took.) Buffers' memory is released a little after the collection
 * that frees them (a second collection finishes that release first), so samples may overstate
 * (never understate) what is held; the baseline is taken once that release has settled.
 */
export class RetainedMemorySampler {
  readonly #gc: () => void;
  readonly #baseline: number;
  readonly #baselineRss: number;
  #peak: number;
  #peakRss: number;
  #timer: NodeJS.Timeout | undefined;
  readonly #collectAbove: number;
  /** Full collections forced, for the test's diagnostics. */
  collections = 0;

  private constructor(gc: () => void, collectAbove: number) {
    this.#gc = gc;
    this.#collectAbove = collectAbove;
    const start = process.memoryUsage();
    this.#baseline = this.#peak = start.heapUsed + start.external;
    this.#baselineRss = this.#peakRss = start.rss;
  }

  /**
   * @param collectAbove growth (bytes) from which a sample collects garbage before it counts; a
   *   test that checks the growth against a bound passes that bound or less, so every sample
   *   that could break the bound is an exact one.
   */
  static async start(collectAbove: number, intervalMs = 25): Promise<RetainedMemorySampler> {
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
    const sampler = new RetainedMemorySampler(gc, collectAbove);
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
    let now = process.memoryUsage();
    if (now.heapUsed + now.external - this.#baseline >= this.#collectAbove) {
      // The second collection first finishes releasing the buffers the first one freed.
      this.#gc();
      this.#gc();
      this.collections += 1;
      now = process.memoryUsage();
    }
    this.#peak = Math.max(this.#peak, now.heapUsed + now.external);
    this.#peakRss = Math.max(this.#peakRss, now.rss);
  }
}
