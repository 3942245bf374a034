import { HostStartupError } from './errors';

type Constraint = (value: string) => boolean;

interface RouteParameter {
  name: string;
  group: string;
  optional: boolean;
  catchAll: boolean;
  defaultValue?: string;
  constraints: Constraint[];
}

const GUID = /^[{(]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[)}]?$/i;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Route constraints of ASP.NET Core routing, which the Functions host uses for HTTP routes. */
function constraintFor(spec: string): Constraint | undefined {
  const m = /^([a-z]+)(?:\((.*)\))?$/i.exec(spec);
  if (!m) return undefined;
  const name = m[1]!.toLowerCase();
  const args = m[2] === undefined ? [] : name === 'regex' ? [m[2]] : m[2].split(',').map((a) => a.trim());
  const num = (i: number): number => Number(args[i]);
  switch (name) {
    case 'int':
      return (v) => /^[+-]?\d+$/.test(v) && Math.abs(Number(v)) <= 2 ** 31;
    case 'long':
      return (v) => /^[+-]?\d+$/.test(v);
    case 'bool':
      return (v) => /^(true|false)$/i.test(v);
    case 'guid':
      return (v) => GUID.test(v);
    case 'alpha':
      return (v) => /^[a-z]+$/i.test(v);
    case 'double':
    case 'float':
    case 'decimal':
      return (v) => NUMBER.test(v);
    case 'datetime':
      return (v) => !Number.isNaN(Date.parse(v));
    case 'min':
      return args.length === 1 ? (v) => /^[+-]?\d+$/.test(v) && Number(v) >= num(0) : undefined;
    case 'max':
      return args.length === 1 ? (v) => /^[+-]?\d+$/.test(v) && Number(v) <= num(0) : undefined;
    case 'range':
      return args.length === 2 ? (v) => /^[+-]?\d+$/.test(v) && Number(v) >= num(0) && Number(v) <= num(1) : undefined;
    case 'minlength':
      return args.length === 1 ? (v) => v.length >= num(0) : undefined;
    case 'maxlength':
      return args.length === 1 ? (v) => v.length <= num(0) : undefined;
    case 'length':
      return args.length === 1 ? (v) => v.length === num(0) : args.length === 2 ? (v) => v.length >= num(0) && v.length <= num(1) : undefined;
    case 'regex': {
      try {
        const re = new RegExp(args[0] ?? '', 'i');
        return (v) => re.test(v);
      } catch {
        return undefined;
      }
    }
    default:
      return undefined;
  }
}

/**
 * An HTTP trigger's route template (`items/{category}/{id?}`, `files/{*path}`,
 * `orders/{id:int}`), matched case-insensitively against the path after the route prefix.
 */
export class HttpRouteTemplate {
  readonly #regex: RegExp;
  readonly #parameters: RouteParameter[];
  /** Sort key: literal segments before parameters, optional and catch-all ones last. */
  readonly precedence: number[];

  private constructor(
    readonly template: string,
    regex: RegExp,
    parameters: RouteParameter[],
    precedence: number[],
  ) {
    this.#regex = regex;
    this.#parameters = parameters;
    this.precedence = precedence;
  }

  static parse(template: string, functionName: string): HttpRouteTemplate {
    const fail = (reason: string): never => {
      throw new HostStartupError(`The route '${template}' of HTTP function '${functionName}' is invalid: ${reason}`, { functionName });
    };
    const trimmed = template.replace(/^\/+|\/+$/g, '');
    const segments = trimmed === '' ? [] : trimmed.split('/');
    const parameters: RouteParameter[] = [];
    const precedence: number[] = [];
    let source = '';
    let sawOptional = false;
    segments.forEach((segment, index) => {
      if (segment === '') fail('it has an empty segment (//).');
      const parts = splitSegment(segment, fail);
      const params = parts.filter((p): p is { param: string } => typeof p !== 'string');
      const onlyParam = parts.length === 1 && params.length === 1;
      let segmentSource = '';
      let rank = 1;
      for (const part of parts) {
        if (typeof part === 'string') {
          segmentSource += escapeRegex(part);
          continue;
        }
        const param = parseParameter(part.param, `g${parameters.length}`, fail);
        if (parameters.some((p) => p.name.toLowerCase() === param.name.toLowerCase())) fail(`the parameter '${param.name}' appears twice.`);
        if (param.catchAll && (index !== segments.length - 1 || !onlyParam)) fail(`the catch-all parameter '${param.name}' must be the whole last segment.`);
        if (param.optional && !onlyParam) fail(`the optional parameter '${param.name}' must be a whole segment.`);
        parameters.push(param);
        rank = Math.max(rank, param.catchAll ? 5 : param.optional ? 4 : param.constraints.length > 0 ? 2 : 3);
        segmentSource += param.catchAll ? `(?<${param.group}>.*)` : `(?<${param.group}>[^/]+${parts.length > 1 ? '?' : ''})`;
      }
      const optional = onlyParam && (parameters.at(-1)!.optional || parameters.at(-1)!.catchAll);
      if (sawOptional && !optional) fail('only the last segments may be optional.');
      sawOptional ||= optional;
      source += optional ? `(?:/${segmentSource})?` : `/${segmentSource}`;
      precedence.push(rank);
    });
    return new HttpRouteTemplate(trimmed, new RegExp(`^${source}/?$`, 'i'), parameters, precedence);
  }

  /** The route parameters when `path` (after the prefix, still URL-encoded) matches. */
  match(path: string): Record<string, string> | undefined {
    const normalized = `/${path.replace(/^\/+/, '')}`;
    const m = this.#regex.exec(normalized === '/' ? '' : normalized);
    if (!m) return undefined;
    const params: Record<string, string> = {};
    for (const p of this.#parameters) {
      const raw = m.groups?.[p.group];
      const value = raw === undefined || raw === '' ? p.defaultValue : safeDecode(raw, p.catchAll);
      if (value === undefined) continue;
      if (!p.constraints.every((c) => c(value))) return undefined;
      params[p.name] = value;
    }
    return params;
  }
}

function splitSegment(segment: string, fail: (reason: string) => never): (string | { param: string })[] {
  const parts: (string | { param: string })[] = [];
  let rest = segment;
  while (rest !== '') {
    const open = rest.indexOf('{');
    if (open < 0) {
      if (rest.includes('}')) fail(`'${segment}' has a '}' without '{'.`);
      parts.push(rest);
      break;
    }
    if (open > 0) parts.push(rest.slice(0, open));
    const close = rest.indexOf('}', open);
    if (close < 0) fail(`'${segment}' has a '{' without '}'.`);
    if (typeof parts.at(-1) === 'object' && open === 0) fail(`'${segment}' has two parameters with no literal between them.`);
    parts.push({ param: rest.slice(open + 1, close) });
    rest = rest.slice(close + 1);
  }
  return parts;
}

function parseParameter(spec: string, group: string, fail: (reason: string) => never): RouteParameter {
  let text = spec.trim();
  const catchAll = text.startsWith('*');
  if (catchAll) text = text.replace(/^\*+/, '');
  let optional = false;
  let defaultValue: string | undefined;
  const eq = text.indexOf('=');
  if (eq >= 0) {
    defaultValue = text.slice(eq + 1);
    text = text.slice(0, eq);
  }
  if (text.endsWith('?')) {
    optional = true;
    text = text.slice(0, -1);
  }
  const [name = '', ...constraintSpecs] = text.split(':');
  if (!/^[a-z_][a-z0-9_]*$/i.test(name)) fail(`'{${spec}}' does not start with a valid parameter name.`);
  const constraints = constraintSpecs.map((c) => constraintFor(c) ?? fail(`the constraint '${c}' of parameter '${name}' is not supported.`));
  const param: RouteParameter = { name, group, optional: optional || defaultValue !== undefined, catchAll, constraints };
  if (defaultValue !== undefined) param.defaultValue = defaultValue;
  return param;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function safeDecode(raw: string, keepSlashes: boolean): string {
  try {
    return keepSlashes ? raw.split('/').map(decodeURIComponent).join('/') : decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Orders routes so that more specific templates are tried first. */
export function compareRoutePrecedence(a: HttpRouteTemplate, b: HttpRouteTemplate): number {
  const n = Math.max(a.precedence.length, b.precedence.length);
  for (let i = 0; i < n; i++) {
    const diff = (a.precedence[i] ?? 0) - (b.precedence[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return b.precedence.length - a.precedence.length;
}
