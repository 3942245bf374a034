/**
 * Randomised exponential back-off for polling an empty source, shaped like the storage extension's
 * strategy: start at the minimum, roughly double per empty poll with +/-20 % jitter (so several
 * listeners do not poll in lockstep), cap at the maximum, and drop back to the minimum as soon as
 * work shows up.
 */
export interface PollingBackoffOptions {
  minIntervalMs: number;
  maxIntervalMs: number;
  /** Source of randomness in [0, 1); replaceable for deterministic tests. */
  random?: () => number;
}

const RANDOMIZATION = 0.2;

export class PollingBackoff {
  readonly #min: number;
  readonly #max: number;
  readonly #random: () => number;
  #exponent = 0;
  #current: number;

  constructor(options: PollingBackoffOptions) {
    if (!(options.minIntervalMs > 0) || !(options.maxIntervalMs >= options.minIntervalMs)) {
      throw new RangeError(`PollingBackoff: need 0 < minIntervalMs (${options.minIntervalMs}) <= maxIntervalMs (${options.maxIntervalMs})`);
    }
    this.#min = options.minIntervalMs;
    this.#max = options.maxIntervalMs;
    this.#random = options.random ?? Math.random;
    this.#current = this.#min;
  }

  /** The delay before the next poll, given whether the last poll found work. */
  nextDelay(foundWork: boolean): number {
    if (foundWork) {
      this.#exponent = 0;
      this.#current = this.#min;
      return this.#current;
    }
    if (this.#current < this.#max) {
      const jitter = 1 - RANDOMIZATION + this.#random() * 2 * RANDOMIZATION;
      const next = this.#min + jitter * 2 ** this.#exponent * this.#min;
      if (next < this.#max) {
        this.#current = next;
        this.#exponent += 1;
      } else {
        this.#current = this.#max;
      }
    }
    return this.#current;
  }
}
