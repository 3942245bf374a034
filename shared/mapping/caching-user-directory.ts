import type { DirectoryLookup, ResolveOptions, UserDirectory } from './directory';
import { addressKey } from './email-address';

/**
 * Remembers each answer of another directory for the life of this object, so that one run asks
 * about an address once however many items name it. Create one per run: answers are not
 * refreshed, so an account enabled during a run is seen by the next run.
 *
 * Spellings that differ only in case or surrounding space share one answer. Concurrent questions
 * about one address share one request. A failed request is forgotten, so the next question asks
 * again; callers waiting on that shared request all receive its failure.
 */
export class CachingUserDirectory implements UserDirectory {
  private readonly answers = new Map<string, Promise<DirectoryLookup>>();

  constructor(private readonly inner: UserDirectory) {}

  resolve(address: string, options?: ResolveOptions): Promise<DirectoryLookup> {
    const key = addressKey(address);
    const known = this.answers.get(key);
    if (known !== undefined) return known;
    const answer = this.inner.resolve(address.trim(), options);
    this.answers.set(key, answer);
    answer.catch(() => {
      if (this.answers.get(key) === answer) this.answers.delete(key);
    });
    return answer;
  }

  /** How many addresses have an answer or a request under way. */
  get size(): number {
    return this.answers.size;
  }
}
