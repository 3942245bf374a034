import { setTimeout as delay } from 'node:timers/promises';

/**
 * The wait between polls: ends early when there is news (`wake`, e.g. a processing slot freed up)
 * and for good when the listener stops (`close`), so `stop()` never waits out a long back-off.
 */
export class PollSleeper {
  #closed = false;
  #current: AbortController | undefined;
  #wakePending = false;

  get closed(): boolean {
    return this.#closed;
  }

  async sleep(ms: number): Promise<void> {
    if (this.#closed) return;
    if (this.#wakePending) {
      this.#wakePending = false;
      return;
    }
    const controller = new AbortController();
    this.#current = controller;
    try {
      await delay(ms, undefined, { signal: controller.signal });
    } catch (err) {
      if (!controller.signal.aborted) throw err;
    } finally {
      if (this.#current === controller) this.#current = undefined;
    }
  }

  /** Ends the current sleep, or the next one at once if none is running. */
  wake(): void {
    if (this.#current) this.#current.abort();
    else this.#wakePending = true;
  }

  close(): void {
    this.#closed = true;
    this.#current?.abort();
  }
}
