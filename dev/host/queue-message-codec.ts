/**
 * Queue message bodies as the storage extension sees them. With `messageEncoding: base64` (the
 * default) the host decodes like .NET's `Convert.FromBase64String`: whitespace is ignored, the
 * rest must be whole base64 quads with at most two `=` at the end. Node's own decoder accepts far
 * more (it skips junk), so a strict check comes first: what the real host rejects must be
 * rejected here too, or a bad producer would only fail in Azure.
 */

export type QueueMessageEncoding = 'base64' | 'none';

const BASE64_QUADS = /^[A-Za-z0-9+/]*={0,2}$/;

/** The message text the function receives, or `undefined` when the host cannot decode it. */
export function decodeQueueMessage(raw: string, encoding: QueueMessageEncoding): string | undefined {
  if (encoding === 'none') return raw;
  const compact = raw.replace(/[ \t\r\n]/g, '');
  if (compact.length % 4 !== 0 || !BASE64_QUADS.test(compact)) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}

/** The raw queue text for `text`, as the host writes messages it creates (blob poison notices). */
export function encodeQueueMessage(text: string, encoding: QueueMessageEncoding): string {
  return encoding === 'none' ? text : Buffer.from(text, 'utf8').toString('base64');
}
