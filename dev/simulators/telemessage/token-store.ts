import { randomBytes } from 'node:crypto';

export type TokenCheck = { valid: true; username: string } | { valid: false };

interface IssuedToken {
  username: string;
  expiresAtMs: number;
}

/** Bearer tokens handed out by the token endpoint. Tokens are random and live only in memory. */
export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(
    private readonly ttlMs: number,
    private readonly nowMs: () => number,
  ) {}

  /** Issues a token; `alreadyExpired` serves the `expire-token` fault on the token route. */
  issue(username: string, options: { alreadyExpired?: boolean } = {}): string {
    this.prune();
    const token = `tmsim_${randomBytes(24).toString('base64url')}`;
    const now = this.nowMs();
    this.tokens.set(token, { username, expiresAtMs: options.alreadyExpired ? now : now + this.ttlMs });
    return token;
  }

  /**
   * A token is valid until its expiry; after that, and for a token this simulator never issued
   * (for example one from before a restart), the caller is told the token expired.
   */
  check(token: string): TokenCheck {
    const issued = this.tokens.get(token);
    if (issued === undefined || this.nowMs() >= issued.expiresAtMs) return { valid: false };
    return { valid: true, username: issued.username };
  }

  /** Ends a token's life now (the `expire-token` fault). */
  expire(token: string): void {
    const issued = this.tokens.get(token);
    if (issued !== undefined) issued.expiresAtMs = Math.min(issued.expiresAtMs, this.nowMs());
  }

  /** Forgets tokens that expired more than one lifetime ago, so a long run does not grow forever. */
  private prune(): void {
    const horizon = this.nowMs() - this.ttlMs;
    for (const [token, issued] of this.tokens) {
      if (issued.expiresAtMs < horizon) this.tokens.delete(token);
    }
  }
}
