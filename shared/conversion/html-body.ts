import { CONTENT_ID_PATTERN } from './inline-images';
import { toWellFormed } from './safe-text';

/** One row of the facts block: plain text label and one or more plain text values. */
export interface BodyFact {
  readonly label: string;
  readonly values: readonly string[];
}

export interface BodyContent {
  /** Plain text shown first, in bold. */
  readonly headline: string;
  /** The message text exactly as sent (line breaks kept); undefined to show `note` instead. */
  readonly text?: string;
  /** Plain text shown in italics where the text would be (e.g. "This MMS has no text."). */
  readonly note?: string;
  /** Images shown after the text, in order; each is an inline attachment of the message. */
  readonly images?: readonly BodyImage[];
  readonly facts: readonly BodyFact[];
}

/** An image the message carries as an inline attachment. */
export interface BodyImage {
  /** The attachment's Content-ID, as {@link inlineImageContentId} makes it. */
  readonly contentId: string;
  /** Plain text shown where the image cannot be (the file name). */
  readonly alt: string;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]);
}

/**
 * Message text as HTML: escaped, so no markup from a message can render; each line break becomes
 * `<br>`; runs of spaces survive; controls that HTML cannot carry are shown as their Unicode
 * control pictures (␇ for BEL) so the archive still shows they were there.
 */
export function textToHtml(text: string): string {
  const visible = toWellFormed(text).replace(/\p{Cc}/gu, visibleControl);
  return escapeHtml(visible)
    .replace(/\r\n|[\r\n\u0085\u2028\u2029]/g, '<br>')
    .replace(/\t/g, '&emsp;')
    .replace(/ {2,}/g, (spaces) => `${'&nbsp;'.repeat(spaces.length - 1)} `);
}

/** Tab, CR, LF and NEL stay (as layout); C0 controls become control pictures, DEL ␡, other C1 U+FFFD. */
function visibleControl(control: string): string {
  const code = control.charCodeAt(0);
  if (control === '\t' || control === '\n' || control === '\r' || code === 0x85) {
    return control;
  }
  if (code < 0x20) {
    return String.fromCharCode(0x2400 + code);
  }
  return code === 0x7f ? '\u2421' : '\uFFFD';
}

const BLOCK_STYLE = 'margin:0 0 12pt 0';
const CELL_STYLE = 'padding:2pt 8pt 2pt 0;vertical-align:top;text-align:left';

/**
 * The whole body: headline, the message text in its own direction-neutral block (so right-to-left
 * text and stray bidi controls cannot reorder what follows), the message's own images, then the
 * facts as a table. Uses no scripts, links, fonts, style sheets or images from anywhere: an image
 * is only ever a `cid:` reference to one of the message's own attachments.
 */
export function renderHtmlBody(content: BodyContent): string {
  const parts: string[] = [
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>',
    '<body style="font-family:Segoe UI,Arial,sans-serif;font-size:11pt">',
    `<p dir="auto" style="${BLOCK_STYLE};font-weight:bold">${textToHtml(content.headline)}</p>`,
  ];
  if (content.text !== undefined) {
    parts.push(`<div dir="auto" style="${BLOCK_STYLE}">${textToHtml(content.text)}</div>`);
  } else if (content.note !== undefined) {
    parts.push(`<p dir="auto" style="${BLOCK_STYLE};font-style:italic;color:#555555">${textToHtml(content.note)}</p>`);
  }
  for (const image of content.images ?? []) {
    parts.push(`<p style="${BLOCK_STYLE}">${imageTag(image)}</p>`);
  }
  parts.push('<hr>', '<table cellspacing="0" cellpadding="0" style="font-size:9pt;color:#444444;border-collapse:collapse">');
  for (const fact of content.facts) {
    const values = fact.values.map((value) => `<bdi>${textToHtml(value)}</bdi>`).join('<br>');
    parts.push(`<tr><th style="${CELL_STYLE}">${textToHtml(fact.label)}</th><td dir="auto" style="${CELL_STYLE}">${values}</td></tr>`);
  }
  parts.push('</table>', '</body></html>');
  return parts.join('\n');
}

/**
 * `<img src="cid:…" alt="…">`, scaled down to the reading pane where the client allows. The
 * Content-ID is checked, not trusted: anything but the converter's own form is a programming
 * error, and would otherwise be a way to point the body outside the message.
 */
function imageTag(image: BodyImage): string {
  if (!CONTENT_ID_PATTERN.test(image.contentId)) {
    throw new Error(`${JSON.stringify(image.contentId)} is not a Content-ID made by inlineImageContentId`);
  }
  const alt = escapeHtml(toWellFormed(image.alt).replace(/[\p{Cc}\u2028\u2029]/gu, ' '));
  return `<img src="cid:${image.contentId}" alt="${alt}" style="max-width:100%;height:auto">`;
}
