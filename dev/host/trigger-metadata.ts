import { randomUUID } from 'node:crypto';
import type { TypedData } from './contracts';

/**
 * Builders for trigger metadata in the shape the real host sends over RPC: PascalCase keys,
 * strings as `string`, counts as `int`, objects and dates as `json` serialised the way the host's
 * Json.NET does (dates as `2024-05-01T10:00:00+00:00`). The library camel-cases keys and parses
 * the values, so a function sees exactly what it would see under `func start`.
 */

export function stringData(value: string): TypedData {
  return { string: value };
}

export function intData(value: number): TypedData {
  return { int: value };
}

export function jsonData(value: unknown): TypedData {
  return { json: JSON.stringify(value) };
}

/** A `DateTimeOffset` as Json.NET writes it: trailing zero fractions dropped, `+00:00` offset. */
export function dotNetDateTimeOffset(date: Date): string {
  return `${isoWithoutZeroFraction(date)}+00:00`;
}

/** A UTC `DateTime` as Json.NET writes it (`Z` suffix). */
export function dotNetUtcDateTime(date: Date): string {
  return `${isoWithoutZeroFraction(date)}Z`;
}

/** The `sys` entry every invocation carries (`MethodName`, `UtcNow`, `RandGuid`). */
export function systemMetadata(functionName: string, now: Date = new Date()): TypedData {
  return jsonData({ MethodName: functionName, UtcNow: dotNetUtcDateTime(now), RandGuid: randomUUID() });
}

function isoWithoutZeroFraction(date: Date): string {
  const iso = date.toISOString(); // yyyy-mm-ddThh:mm:ss.fffZ
  const [whole, fraction = ''] = iso.slice(0, -1).split('.');
  const trimmed = fraction.replace(/0+$/, '');
  return trimmed === '' ? whole! : `${whole}.${trimmed}`;
}
