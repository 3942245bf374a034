import type { DisposableLike } from './core-api-types';

/**
 * The `Disposable` of the core API: `registerFunction` and `registerHook` return one, and
 * `@azure/functions` re-wraps it. Disposing twice is a no-op.
 */
export class Disposable implements DisposableLike {
  #callOnDispose: (() => unknown) | undefined;

  constructor(callOnDispose: () => unknown) {
    this.#callOnDispose = callOnDispose;
  }

  /** One disposable that disposes all of `disposables` (asynchronous disposers are not awaited). */
  static from(...disposables: DisposableLike[]): Disposable {
    return new Disposable(() => {
      for (const d of disposables) d.dispose();
    });
  }

  dispose(): void {
    const call = this.#callOnDispose;
    this.#callOnDispose = undefined;
    call?.();
  }
}
