import { setTimeout as delay } from 'node:timers/promises';
import { DrainTimeoutError } from './errors';

export interface WaitForDrainedOptions {
  /** Give up (DrainTimeoutError) after this long. */
  timeoutMs: number;
  /** The host must report drained continuously for this long. */
  settleMs: number;
  /** How often to ask; default 50 ms. */
  pollIntervalMs?: number;
  signal?: AbortSignal;
}

/** Polls `isDrained` until it has been true for `settleMs` without a break. */
export async function waitUntilDrained(isDrained: () => Promise<boolean>, options: WaitForDrainedOptions): Promise<void> {
  const { timeoutMs, settleMs, signal } = options;
  const pollMs = options.pollIntervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let drainedSince: number | undefined;
  for (;;) {
    signal?.throwIfAborted();
    const drained = await isDrained();
    const now = Date.now();
    if (!drained) drainedSince = undefined;
    else {
      drainedSince ??= now;
      if (now - drainedSince >= settleMs) return;
    }
    if (now >= deadline) throw new DrainTimeoutError(timeoutMs, settleMs);
    await delay(Math.max(1, Math.min(pollMs, deadline - now)), undefined, signal ? { signal } : undefined);
  }
}
