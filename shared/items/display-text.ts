/** Longest display name or conversation title kept from the source; longer ones are cut visibly. */
export const MAX_DISPLAY_TEXT_LENGTH = 256;

/**
 * A display name or title as the pipeline keeps it: at most {@link MAX_DISPLAY_TEXT_LENGTH}
 * characters, and when the source sent more, the cut is made visible (`…` and how many characters
 * were left out) so that nobody mistakes it for the whole name. A surrogate pair is never split.
 */
export function capDisplayText(text: string, max = MAX_DISPLAY_TEXT_LENGTH): string {
  if (text.length <= max) return text;
  const suffix = ` (+${text.length - max} characters)`;
  let kept = text.slice(0, Math.max(1, max - suffix.length - 1));
  if (/[\uD800-\uDBFF]$/.test(kept)) kept = kept.slice(0, -1);
  return `${kept}…${suffix}`;
}
