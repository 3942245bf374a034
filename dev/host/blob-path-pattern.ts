/**
 * A blob trigger `path`: a literal container, then an optional blob-name template with `{param}`
 * placeholders (`{{` and `}}` stand for literal braces). Matching follows the WebJobs binding
 * template: each placeholder captures greedily and may span `/`, so `c/{a}/{b}.json` on
 * `x/y/z.json` binds a = "x/y", b = "z", exactly as under `func start`.
 */

export class BlobPathPatternError extends Error {
  override readonly name = 'BlobPathPatternError';
  constructor(readonly path: string, cause: string) {
    super(`blob trigger path "${path}" ${cause}`);
  }
}

type Token = { literal: string } | { parameter: string };

export class BlobPathPattern {
  readonly path: string;
  readonly container: string;
  /** The literal start of every matching blob name, used as the listing prefix. */
  readonly prefix: string;
  readonly parameterNames: readonly string[];
  /** `undefined` for a container-only path, which matches every blob. */
  readonly #regex: RegExp | undefined;

  private constructor(path: string, container: string, tokens: Token[]) {
    this.path = path;
    this.container = container;
    const first = tokens[0];
    this.prefix = first && 'literal' in first ? first.literal : '';
    this.parameterNames = tokens.flatMap((t) => ('parameter' in t ? [t.parameter] : []));
    const body = tokens.map((t) => ('literal' in t ? escapeRegExp(t.literal) : `(?<${t.parameter}>.*)`)).join('');
    this.#regex = tokens.length === 0 ? undefined : new RegExp(`^${body}$`, 's');
  }

  static parse(path: string): BlobPathPattern {
    const slash = path.indexOf('/');
    const container = slash < 0 ? path : path.slice(0, slash);
    const template = slash < 0 ? '' : path.slice(slash + 1);
    if (!/^(?:\$root|[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62})$/.test(container)) {
      throw new BlobPathPatternError(
        path,
        `has container "${container}", which is not a valid container name (3-63 lower-case letters, digits and single inner dashes; no {…} expressions)`,
      );
    }
    return new BlobPathPattern(path, container, tokenize(path, template));
  }

  /** The placeholder values when `blobName` matches, else `undefined`. */
  match(blobName: string): Record<string, string> | undefined {
    if (!this.#regex) return {};
    const m = this.#regex.exec(blobName);
    if (!m) return undefined;
    return { ...(m.groups ?? {}) };
  }
}

function tokenize(path: string, template: string): Token[] {
  const tokens: Token[] = [];
  const seen = new Set<string>();
  let literal = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '{' && template[i + 1] === '{') {
      literal += '{';
      i++;
    } else if (c === '}' && template[i + 1] === '}') {
      literal += '}';
      i++;
    } else if (c === '{') {
      const end = template.indexOf('}', i);
      if (end < 0) throw new BlobPathPatternError(path, `has an unclosed "{" at position ${i}`);
      const name = template.slice(i + 1, end);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new BlobPathPatternError(path, `has an invalid parameter name "{${name}}"`);
      if (seen.has(name)) throw new BlobPathPatternError(path, `uses the parameter "{${name}}" twice`);
      seen.add(name);
      if (literal !== '') tokens.push({ literal });
      literal = '';
      tokens.push({ parameter: name });
      i = end;
    } else if (c === '}') {
      throw new BlobPathPatternError(path, `has an unmatched "}" at position ${i}`);
    } else {
      literal += c;
    }
  }
  if (literal !== '') tokens.push({ literal });
  return tokens;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
