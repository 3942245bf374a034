/**
 * Text clean-up shared by every place a source string lands in the message: subjects, recipient
 * names, facts, header values and the HTML body each apply the part they need.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Explicit embeddings, overrides and isolates; an unbalanced one can reorder the text after it. */
const BIDI_FORMATTING = /[\u202A-\u202E\u2066-\u2069]/g;

/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
const CONTROLS_AND_BREAKS = /[\p{Cc}\u2028\u2029]/gu;

const GRAPHEMES = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Replaces unpaired UTF-16 surrogates (which UTF-8 cannot carry) with U+FFFD. */
export function toWellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * One line of plain text for a subject, a name or a fact: controls and line breaks become
 * spaces, bidi embedding and override controls are dropped (right-to-left letters stay), runs of
 * white space collapse, and the result is cut to `maxLength` UTF-16 units on a grapheme
 * boundary, ending in "…" when cut.
 */
export function oneLine(text: string, maxLength: number): string {
  const cleaned = toWellFormed(text)
    .replace(BIDI_FORMATTING, '')
    .replace(CONTROLS_AND_BREAKS, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  return truncateGraphemes(cleaned, maxLength);
}

/** Cuts `text` to at most `maxLength` UTF-16 units, never inside a grapheme (emoji, combining marks). */
export function truncateGraphemes(text: string, maxLength: number, ellipsis = '…'): string {
  if (text.length <= maxLength) {
    return text;
  }
  const budget = maxLength - ellipsis.length;
  let end = 0;
  for (const { segment, index } of GRAPHEMES.segment(text)) {
    if (index + segment.length > budget) {
      break;
    }
    end = index + segment.length;
  }
  return `${text.slice(0, end).trimEnd()}${ellipsis}`;
}
