import { GraphError, badRequest } from './graph-error';
import { parseFilter, type FilterExpression } from './odata-filter';

/** One `$expand` item: `attachments` or `singleValueExtendedProperties($filter=id eq '…')`. */
export interface ExpandItem {
  property: string;
  filter?: FilterExpression;
}

/** Refuses system query options the endpoint does not implement, rather than silently ignoring them. */
export function checkQueryOptions(query: URLSearchParams, allowed: readonly string[], resource: string): void {
  const seen = new Set<string>();
  for (const key of query.keys()) {
    if (!key.startsWith('$')) continue;
    const option = key.toLowerCase();
    if (seen.has(option)) throw badRequest(`Query option '${key}' is given more than once.`);
    seen.add(option);
    if (!allowed.includes(option)) {
      throw badRequest(`Query option '${key}' is not supported on ${resource} by the Graph simulator.`);
    }
  }
}

/** Reads a system query option case-insensitively (`$filter`, `$Filter`). */
export function queryOption(query: URLSearchParams, name: string): string | undefined {
  for (const [key, value] of query) if (key.toLowerCase() === name) return value;
  return undefined;
}

export function parseTop(query: URLSearchParams, defaultTop: number, maxTop: number): number {
  const raw = queryOption(query, '$top');
  if (raw === undefined) return defaultTop;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw badRequest(`Invalid value '${raw}' for $top: expected a positive integer.`);
  return Math.min(Number(raw), maxTop);
}

export function parseSkip(query: URLSearchParams): number {
  const raw = queryOption(query, '$skip') ?? queryOption(query, '$skiptoken');
  if (raw === undefined) return 0;
  if (!/^\d+$/.test(raw)) throw badRequest(`Invalid value '${raw}' for $skip: expected a non-negative integer.`);
  return Number(raw);
}

export function parseSelect(query: URLSearchParams, known: ReadonlySet<string>, typeName: string): string[] | undefined {
  const raw = queryOption(query, '$select');
  if (raw === undefined) return undefined;
  const names = raw.split(',').map((n) => n.trim());
  for (const name of names) {
    if (name === '') throw badRequest('$select has an empty item.');
    if (!known.has(name)) throw badRequest(`Could not find a property named '${name}' on type '${typeName}'.`);
  }
  return names;
}

export function parseQueryFilter(
  query: URLSearchParams,
  properties: ReadonlySet<string>,
  typeName: string,
): FilterExpression | undefined {
  const raw = queryOption(query, '$filter');
  return raw === undefined ? undefined : parseFilter(raw, { properties, typeName });
}

/**
 * Parses `$expand`. `expandable` maps each navigation property that may be expanded to the
 * properties its nested `$filter` may name.
 */
export function parseExpand(
  query: URLSearchParams,
  expandable: ReadonlyMap<string, ReadonlySet<string>>,
  typeName: string,
): ExpandItem[] {
  const raw = queryOption(query, '$expand');
  if (raw === undefined) return [];
  return splitTopLevel(raw, ',').map((item) => {
    const open = item.indexOf('(');
    const property = (open < 0 ? item : item.slice(0, open)).trim();
    const nested = expandable.get(property);
    if (nested === undefined) {
      throw badRequest(`Could not find a navigation property named '${property}' to expand on type '${typeName}'.`);
    }
    if (open < 0) return { property };
    if (!item.trimEnd().endsWith(')')) throw badRequest(`$expand item '${property}' has unbalanced parentheses.`);
    const options = item.slice(open + 1, item.trimEnd().length - 1);
    const result: ExpandItem = { property };
    for (const option of splitTopLevel(options, ';')) {
      const eq = option.indexOf('=');
      const name = eq < 0 ? option.trim() : option.slice(0, eq).trim().toLowerCase();
      if (name !== '$filter') {
        throw badRequest(`Nested option '${name}' in $expand of '${property}' is not supported by the Graph simulator.`);
      }
      result.filter = parseFilter(option.slice(eq + 1), { properties: nested, typeName: property });
    }
    return result;
  });
}

/** Splits on a separator outside quotes and parentheses. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === '(') depth += 1;
    else if (!quoted && c === ')') depth -= 1;
    else if (!quoted && depth === 0 && c === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted || depth !== 0) throw new GraphError(400, 'BadRequest', `Unbalanced quotes or parentheses in '${text}'.`);
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}
