import { createHash } from 'node:crypto';
import { compile } from 'html-to-text';

/**
 * Compiled once: `convert` compiles its options (selectors into a matcher) on every call, which
 * cost more CPU than the conversion of an SMS body itself.
 */
const toText = compile({
  wordwrap: false,
  selectors: [
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'table', format: 'dataTable' },
  ],
});

/**
 * The text a reader sees in a message body, for comparing a copy with what was created: markup,
 * layout and whitespace are ignored (Exchange rewrites the HTML it stores), words and their order
 * are not. Image sources are left out: a `cid:` reference is not text.
 */
export function bodyText(html: string): string {
  return toText(html)
    .replace(/\s+/g, ' ')
    .trim();
}

/** SHA-256 (hex) of {@link bodyText}: recorded when a copy is created, checked when it is verified. */
export function bodyTextSha256(html: string): string {
  return createHash('sha256').update(bodyText(html), 'utf8').digest('hex');
}
