/**
 * Where a JSON text stops being valid, as `line L, column C`, never quoting the text: settings
 * files hold secrets and account keys, and JSON.parse's own message can echo the characters around
 * the fault. Undefined when the engine's message gives no position.
 */
export function jsonSyntaxErrorLocation(text: string, error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : '';
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn !== null) return `line ${lineColumn[1]}, column ${lineColumn[2]}`;
  const position = /at position (\d+)/.exec(message);
  const offset = position !== null ? Number(position[1]) : quotedOffset(text, message);
  if (offset === undefined) {
    // "Unexpected end of JSON input": the fault is the end of the text.
    return /end of JSON input/.test(message) ? endOf(text) : undefined;
  }
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `line ${line}, column ${column}`;
}

/** `is not valid JSON (line 3, column 17)`: the sentence the settings readers use. */
export function describeJsonSyntaxError(text: string, error: unknown): string {
  const location = jsonSyntaxErrorLocation(text, error);
  return `is not valid JSON${location === undefined ? '' : ` (${location})`}`;
}

function endOf(text: string): string {
  const lines = text.split('\n');
  return `line ${lines.length}, column ${(lines.at(-1)?.length ?? 0) + 1}`;
}

/**
 * V8 reports some faults without a position but with the text around them:
 * `Unexpected token 'A', ..."Storage": AccountKey=..." is not valid JSON`. The quoted text is
 * found in the document to compute where the fault is; it is never repeated.
 */
const CONTEXT_CHARACTERS = 10;

function quotedOffset(text: string, message: string): number | undefined {
  const match = /^Unexpected token '([\s\S])', (?:\.\.\.)?"([\s\S]*?)"(?:\.\.\.)? is not valid JSON$/.exec(message);
  if (match === null) return undefined;
  const [, token = '', snippet = ''] = match;
  const at = text.indexOf(snippet);
  if (at < 0) return undefined;
  // V8 quotes up to 10 characters either side of the fault: the token is the last occurrence
  // at or before index 10 of the quoted text.
  let within = -1;
  for (let i = snippet.indexOf(token); i >= 0 && i <= CONTEXT_CHARACTERS; i = snippet.indexOf(token, i + 1)) within = i;
  return at + Math.max(within, 0);
}
