import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a "Connect" may take from the click to the platform's redirect back. */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;

/**
 * The OAuth `state`: the id of a stored attempt and its HMAC under the publisher's secret key. The
 * signature rejects a forged state before the database is asked; the stored attempt makes it single
 * use, bounded in time and bound to the user who started it.
 */
export class OAuthStateSigner {
  private readonly key: Buffer;

  constructor(secretKeyBase64: string) {
    // A key of its own, derived, so that a state can never be confused with anything else sealed.
    this.key = createHmac('sha256', Buffer.from(secretKeyBase64, 'base64')).update('streamcaster oauth state v1').digest();
  }

  newAttemptId(): string {
    return randomBytes(16).toString('base64url');
  }

  sign(attemptId: string): string {
    return `${attemptId}.${this.mac(attemptId)}`;
  }

  /** The attempt id, or null when the state was not made here (or was altered). */
  verify(state: string): string | null {
    const [attemptId, mac, extra] = state.split('.');
    if (!attemptId || !mac || extra !== undefined || !/^[A-Za-z0-9_-]{22}$/.test(attemptId)) return null;
    const expected = Buffer.from(this.mac(attemptId));
    const given = Buffer.from(mac);
    return expected.length === given.length && timingSafeEqual(expected, given) ? attemptId : null;
  }

  private mac(attemptId: string): string {
    return createHmac('sha256', this.key).update(attemptId).digest('base64url');
  }
}

/** PKCE (RFC 7636): a random verifier kept by us, its S256 challenge sent with the authorize request. */
export function newPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}
