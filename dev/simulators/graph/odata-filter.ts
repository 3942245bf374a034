import { GraphError } from './graph-error';

/**
 * The part of OData `$filter` that mailbox import uses: comparisons (`eq ne gt ge lt le`),
 * `and`/`or`/`not`, parentheses, `startswith`, and `any`/`all` lambdas such as
 * `proxyAddresses/any(p:p eq 'smtp:a@b')` or
 * `singleValueExtendedProperties/any(ep: ep/id eq '…' and ep/value eq '…')`.
 * String comparisons ignore case, as Exchange and the directory do.
 */
export type FilterExpression =
  | { kind: 'and' | 'or'; left: FilterExpression; right: FilterExpression }
  | { kind: 'not'; operand: FilterExpression }
  | { kind: 'compare'; operator: ComparisonOperator; left: FilterOperand; right: FilterOperand }
  | { kind: 'lambda'; quantifier: 'any' | 'all'; collection: string[]; variable: string; body: FilterExpression }
  | { kind: 'startswith'; subject: FilterOperand; prefix: FilterOperand };

export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type FilterOperand =
  | { kind: 'literal'; value: string | number | boolean | null; dateTime: boolean }
  | { kind: 'path'; segments: string[] };

type Token =
  | { kind: 'string'; text: string }
  | { kind: 'number'; value: number }
  | { kind: 'datetime'; text: string }
  | { kind: 'word'; text: string }
  | { kind: 'punct'; text: '(' | ')' | '/' | ':' | ',' };

export interface FilterParseOptions {
  /** Top-level property names the filter may use; anything else is a 400. */
  properties: ReadonlySet<string>;
  /** Names the error after the resource, e.g. 'microsoft.graph.message'. */
  typeName: string;
}

export function parseFilter(text: string, options: FilterParseOptions): FilterExpression {
  return new FilterParser(tokenize(text), options).parseAll();
}

/** Evaluates a parsed filter against one JSON object. */
export function matchesFilter(expression: FilterExpression, subject: unknown): boolean {
  return evaluate(expression, subject, new Map());
}

function invalidFilter(cause: string): GraphError {
  return new GraphError(400, 'BadRequest', `Invalid filter clause: ${cause}.`);
}

const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})/;
const NUMBER = /^-?\d+(\.\d+)?/;
const WORD = /^[A-Za-z_][A-Za-z0-9_.]*/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw invalidFilter(`unterminated string starting at position ${i}`);
        if (text[j] === "'") {
          if (text[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += text[j];
        j += 1;
      }
      tokens.push({ kind: 'string', text: value });
      i = j + 1;
    } else if (c === '(' || c === ')' || c === '/' || c === ':' || c === ',') {
      tokens.push({ kind: 'punct', text: c });
      i += 1;
    } else {
      const rest = text.slice(i);
      const dateTime = DATE_TIME.exec(rest);
      const number = NUMBER.exec(rest);
      const word = WORD.exec(rest);
      if (dateTime) {
        tokens.push({ kind: 'datetime', text: dateTime[0] });
        i += dateTime[0].length;
      } else if (number) {
        tokens.push({ kind: 'number', value: Number(number[0]) });
        i += number[0].length;
      } else if (word) {
        tokens.push({ kind: 'word', text: word[0] });
        i += word[0].length;
      } else {
        throw invalidFilter(`unexpected '${c}' at position ${i}`);
      }
    }
  }
  return tokens;
}

class FilterParser {
  #position = 0;
  readonly #variables: string[] = [];

  constructor(
    private readonly tokens: Token[],
    private readonly options: FilterParseOptions,
  ) {}

  parseAll(): FilterExpression {
    if (this.tokens.length === 0) throw invalidFilter('the filter is empty');
    const expression = this.#or();
    if (this.#position < this.tokens.length) throw invalidFilter(`unexpected ${describe(this.tokens[this.#position])}`);
    return expression;
  }

  #or(): FilterExpression {
    let left = this.#and();
    while (this.#acceptWord('or')) left = { kind: 'or', left, right: this.#and() };
    return left;
  }

  #and(): FilterExpression {
    let left = this.#unary();
    while (this.#acceptWord('and')) left = { kind: 'and', left, right: this.#unary() };
    return left;
  }

  #unary(): FilterExpression {
    if (this.#acceptWord('not')) return { kind: 'not', operand: this.#unary() };
    if (this.#acceptPunct('(')) {
      const inner = this.#or();
      this.#expectPunct(')');
      return inner;
    }
    const next = this.tokens[this.#position];
    if (next?.kind === 'word' && next.text.toLowerCase() === 'startswith' && this.#peekPunct(1, '(')) {
      this.#position += 2;
      const subject = this.#operand();
      this.#expectPunct(',');
      const prefix = this.#operand();
      this.#expectPunct(')');
      return { kind: 'startswith', subject, prefix };
    }
    const left = this.#operand();
    if (left.kind === 'path' && this.#acceptPunct('/')) return this.#lambda(left.segments);
    const operator = this.tokens[this.#position];
    if (operator?.kind !== 'word' || !COMPARISONS.has(operator.text.toLowerCase())) {
      throw invalidFilter(`expected a comparison operator (eq, ne, gt, ge, lt, le) after ${describeOperand(left)}`);
    }
    this.#position += 1;
    const right = this.#operand();
    return { kind: 'compare', operator: operator.text.toLowerCase() as ComparisonOperator, left, right };
  }

  /** After `collection/`: `any(v: body)` or `all(v: body)`. */
  #lambda(collection: string[]): FilterExpression {
    const quantifier = this.tokens[this.#position];
    if (quantifier?.kind !== 'word' || (quantifier.text !== 'any' && quantifier.text !== 'all')) {
      throw invalidFilter(`expected any(...) or all(...) after '${collection.join('/')}/'`);
    }
    this.#position += 1;
    this.#expectPunct('(');
    const variable = this.tokens[this.#position];
    if (variable?.kind !== 'word') throw invalidFilter(`expected a lambda variable in ${quantifier.text}(...)`);
    this.#position += 1;
    this.#expectPunct(':');
    this.#variables.push(variable.text);
    const body = this.#or();
    this.#variables.pop();
    this.#expectPunct(')');
    return { kind: 'lambda', quantifier: quantifier.text, collection, variable: variable.text, body };
  }

  #operand(): FilterOperand {
    const token = this.tokens[this.#position];
    if (token === undefined) throw invalidFilter('the filter ends too early');
    this.#position += 1;
    switch (token.kind) {
      case 'string':
        return { kind: 'literal', value: token.text, dateTime: false };
      case 'number':
        return { kind: 'literal', value: token.value, dateTime: false };
      case 'datetime':
        return { kind: 'literal', value: token.text, dateTime: true };
      case 'word': {
        const lower = token.text.toLowerCase();
        if (lower === 'true' || lower === 'false') return { kind: 'literal', value: lower === 'true', dateTime: false };
        if (lower === 'null') return { kind: 'literal', value: null, dateTime: false };
        return { kind: 'path', segments: this.#path(token.text) };
      }
      default:
        throw invalidFilter(`unexpected ${describe(token)}`);
    }
  }

  /** A property path `a/b/c`; stops before `/any(` so the caller can read the lambda. */
  #path(first: string): string[] {
    const segments = [first];
    while (this.#peekPunct(0, '/')) {
      const next = this.tokens[this.#position + 1];
      if (next?.kind !== 'word' || this.#peekPunct(2, '(')) break;
      segments.push(next.text);
      this.#position += 2;
    }
    if (!this.#variables.includes(first) && !this.options.properties.has(first)) {
      throw new GraphError(400, 'BadRequest', `Could not find a property named '${first}' on type '${this.options.typeName}'.`);
    }
    return segments;
  }

  #acceptWord(word: string): boolean {
    const token = this.tokens[this.#position];
    if (token?.kind === 'word' && token.text.toLowerCase() === word) {
      this.#position += 1;
      return true;
    }
    return false;
  }

  #peekPunct(offset: number, text: string): boolean {
    const token = this.tokens[this.#position + offset];
    return token?.kind === 'punct' && token.text === text;
  }

  #acceptPunct(text: string): boolean {
    if (!this.#peekPunct(0, text)) return false;
    this.#position += 1;
    return true;
  }

  #expectPunct(text: string): void {
    if (!this.#acceptPunct(text)) {
      const token = this.tokens[this.#position];
      throw invalidFilter(`expected '${text}' but found ${token === undefined ? 'the end' : describe(token)}`);
    }
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'string':
      return 'a string literal';
    case 'number':
      return `the number ${token.value}`;
    case 'datetime':
      return `the date ${token.text}`;
    default:
      return `'${token.text}'`;
  }
}

function describeOperand(operand: FilterOperand): string {
  return operand.kind === 'path' ? `'${operand.segments.join('/')}'` : 'a literal';
}

function evaluate(expression: FilterExpression, root: unknown, scope: Map<string, unknown>): boolean {
  switch (expression.kind) {
    case 'and':
      return evaluate(expression.left, root, scope) && evaluate(expression.right, root, scope);
    case 'or':
      return evaluate(expression.left, root, scope) || evaluate(expression.right, root, scope);
    case 'not':
      return !evaluate(expression.operand, root, scope);
    case 'startswith': {
      const subject = resolve(expression.subject, root, scope);
      const prefix = resolve(expression.prefix, root, scope);
      return typeof subject === 'string' && typeof prefix === 'string' && subject.toLowerCase().startsWith(prefix.toLowerCase());
    }
    case 'lambda': {
      const collection = walk(root, expression.collection, scope);
      if (!Array.isArray(collection)) return false;
      const test = (element: unknown): boolean =>
        evaluate(expression.body, root, new Map(scope).set(expression.variable, element));
      return expression.quantifier === 'any' ? collection.some(test) : collection.every(test);
    }
    case 'compare':
      return compare(
        expression.operator,
        resolve(expression.left, root, scope),
        resolve(expression.right, root, scope),
        isDateTimeOperand(expression.left) || isDateTimeOperand(expression.right),
      );
  }
}

function isDateTimeOperand(operand: FilterOperand): boolean {
  return operand.kind === 'literal' && operand.dateTime;
}

function resolve(operand: FilterOperand, root: unknown, scope: Map<string, unknown>): unknown {
  return operand.kind === 'literal' ? operand.value : walk(root, operand.segments, scope);
}

function walk(root: unknown, segments: string[], scope: Map<string, unknown>): unknown {
  let current: unknown;
  let rest: string[];
  if (scope.has(segments[0])) {
    current = scope.get(segments[0]);
    rest = segments.slice(1);
  } else {
    current = root;
    rest = segments;
  }
  for (const segment of rest) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return null;
    current = (current as Record<string, unknown>)[segment];
  }
  return current === undefined ? null : current;
}

function compare(operator: ComparisonOperator, left: unknown, right: unknown, asDates: boolean): boolean {
  let order: number | undefined;
  if (left === null || right === null) {
    order = left === right ? 0 : undefined;
  } else if (asDates && typeof left === 'string' && typeof right === 'string') {
    order = Math.sign(Date.parse(left) - Date.parse(right));
  } else if (typeof left === 'string' && typeof right === 'string') {
    const a = left.toLowerCase();
    const b = right.toLowerCase();
    order = a === b ? 0 : a < b ? -1 : 1;
  } else if (typeof left === typeof right && (typeof left === 'number' || typeof left === 'boolean')) {
    order = left === right ? 0 : (left as number) < (right as number) ? -1 : 1;
  }
  switch (operator) {
    case 'eq':
      return order === 0;
    case 'ne':
      return order !== 0;
    case 'gt':
      return order === 1;
    case 'ge':
      return order === 1 || order === 0;
    case 'lt':
      return order === -1;
    case 'le':
      return order === -1 || order === 0;
  }
}
