import { randomUUID } from 'node:crypto';
import type { TypedData } from './contracts';
import { BindingExpressionError } from './errors';

/** Binding data of one invocation: what `{name}` expressions in output bindings may refer to. */
export type BindingData = Record<string, unknown>;

/** The plain value of RPC typed data: strings stay strings, JSON is parsed, bytes become UTF-8 text. */
function typedDataValue(data: TypedData | null | undefined): unknown {
  if (!data) return undefined;
  if (typeof data.string === 'string') return data.string;
  if (typeof data.json === 'string') {
    try {
      return JSON.parse(data.json);
    } catch {
      return data.json;
    }
  }
  if (data.bytes) return Buffer.from(data.bytes).toString('utf8');
  if (typeof data.int === 'number') return data.int;
  if (typeof data.double === 'number') return data.double;
  return undefined;
}

/**
 * Binding data as the WebJobs SDK builds it: the trigger metadata, plus the top-level properties
 * of a JSON trigger payload (metadata wins on a clash).
 */
export function buildBindingData(triggerData: TypedData, triggerMetadata: Record<string, TypedData> | undefined): BindingData {
  const data: BindingData = {};
  let payload = typedDataValue(triggerData);
  if (typeof payload === 'string') {
    try {
      payload = JSON.parse(payload);
    } catch {
      payload = undefined;
    }
  }
  if (typeof payload === 'object' && payload !== null && !Array.isArray(payload)) Object.assign(data, payload);
  for (const [key, value] of Object.entries(triggerMetadata ?? {})) data[key] = typedDataValue(value);
  return data;
}

/**
 * Resolves `{name}` expressions (case-insensitive, dotted paths into JSON values) and the
 * built-ins `{rand-guid}`, `{DateTime}`, `{sys.randguid}`, `{sys.utcnow}`. `%Setting%` tokens must
 * have been resolved before.
 */
export function resolveBindingExpressions(template: string, data: BindingData, usage: string): string {
  return template.replace(/\{([^{}]+)\}/g, (_match, expression: string) => {
    const key = expression.trim();
    const lower = key.toLowerCase();
    if (lower === 'rand-guid' || lower === 'sys.randguid') return randomUUID();
    if (lower === 'datetime' || lower === 'sys.utcnow') return new Date().toISOString();
    const value = lookup(data, key.split('.'));
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    const available = Object.keys(data).sort().join(', ') || 'none';
    throw new BindingExpressionError(`${usage}: the binding expression '{${key}}' has no string value in this invocation (binding data: ${available}).`);
  });
}

function lookup(data: unknown, pathParts: string[]): unknown {
  let current = data;
  for (const part of pathParts) {
    if (typeof current !== 'object' || current === null) return undefined;
    const entries = Object.entries(current);
    const hit = entries.find(([k]) => k === part) ?? entries.find(([k]) => k.toLowerCase() === part.toLowerCase());
    current = hit?.[1];
  }
  return current;
}
