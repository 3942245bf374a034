/** Anything with `get(name)` for headers: fetch's `Headers`, the SDKs' header maps. */
export interface HeaderSource {
  get(name: string): string | null | undefined;
}

/**
 * The wait a throttled or unavailable answer asks for, in milliseconds; undefined when it asks
 * for none or says something unreadable. The headers and their order are those
 * `@azure/core-rest-pipeline`'s throttling strategy reads: `retry-after-ms` and
 * `x-ms-retry-after-ms` (milliseconds, Azure services), then `Retry-After` as delta-seconds or
 * as an HTTP-date (RFC 9110 §10.2.3). A date in the past asks for no wait.
 */
export function retryAfterMs(headers: HeaderSource | undefined, now: number = Date.now()): number | undefined {
  if (headers === undefined) return undefined;
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const value = headers.get(name)?.trim();
    if (value !== undefined && /^\d+(?:\.\d+)?$/.test(value)) return Math.ceil(Number(value));
  }
  return parseRetryAfter(headers.get('retry-after') ?? null, now);
}

/** One `Retry-After` value: delta-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Every HTTP-date form starts with a day name; Date.parse alone would read "-1" as a year.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
