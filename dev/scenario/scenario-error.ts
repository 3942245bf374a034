/**
 * A scenario file is hand-edited test data, so every error names the file, the position
 * (array index or line) and the field, and says what was expected.
 */
export class ScenarioError extends Error {
  /** The file the problem is in. */
  readonly file: string;
  /** Zero-based index within a JSON array, when the file is an array. */
  readonly index: number | undefined;
  /** One-based line number, when the file holds one item per line. */
  readonly line: number | undefined;
  /** Dotted path of the offending field, for example `to[1].phone`. */
  readonly field: string | undefined;

  constructor(
    message: string,
    location: { file: string; index?: number; line?: number; field?: string },
    options?: { cause?: unknown },
  ) {
    super(`${describeLocation(location)}: ${message}`, options);
    this.name = 'ScenarioError';
    this.file = location.file;
    this.index = location.index;
    this.line = location.line;
    this.field = location.field;
  }
}

function describeLocation(location: { file: string; index?: number; line?: number; field?: string }): string {
  let where = location.file;
  if (location.line !== undefined) where += `:${location.line}`;
  if (location.index !== undefined) where += ` [${location.index}]`;
  if (location.field !== undefined && location.field !== '') where += ` field "${location.field}"`;
  return where;
}
