/**
 * Listing cursors. A cursor names the last item served, (archivedAt, id), and the window and limit
 * it belongs to. It carries no server state, so the same page always yields the same cursor and a
 * cursor stays usable across simulator restarts.
 */

export interface ListPosition {
  archivedAtMs: number;
  id: string;
}

export interface CursorBinding {
  fromMs: number;
  toMs: number;
  limit: number;
}

interface CursorPayload {
  v: 1;
  f: number;
  t: number;
  l: number;
  a: number;
  i: string;
}

export function encodeCursor(binding: CursorBinding, after: ListPosition): string {
  const payload: CursorPayload = { v: 1, f: binding.fromMs, t: binding.toMs, l: binding.limit, a: after.archivedAtMs, i: after.id };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

export type CursorDecoding = { ok: true; after: ListPosition } | { ok: false; reason: string };

/** Decodes a cursor and checks that it was issued for the same window and limit. */
export function decodeCursor(cursor: string, binding: CursorBinding): CursorDecoding {
  let payload: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'cursor is not one this API issued' };
  }
  const p = payload as Partial<CursorPayload> | null;
  if (
    p === null ||
    typeof p !== 'object' ||
    p.v !== 1 ||
    typeof p.f !== 'number' ||
    typeof p.t !== 'number' ||
    typeof p.l !== 'number' ||
    typeof p.a !== 'number' ||
    typeof p.i !== 'string'
  ) {
    return { ok: false, reason: 'cursor is not one this API issued' };
  }
  if (p.f !== binding.fromMs || p.t !== binding.toMs || p.l !== binding.limit) {
    return { ok: false, reason: 'cursor was issued for a different from, to or limit' };
  }
  return { ok: true, after: { archivedAtMs: p.a, id: p.i } };
}
