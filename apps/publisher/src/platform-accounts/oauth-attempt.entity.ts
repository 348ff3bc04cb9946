import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ApiPlatform, Environment } from '@streamcaster/contracts';

/**
 * One "Connect" that was started: the OAuth `state` names it (signed), so the public callback can
 * prove who started it, for which platform and environment, within 10 minutes, once.
 */
@Entity({ name: 'oauth_attempts' })
export class OAuthAttemptEntity {
  /** Random, 128 bits; the state is this id and its HMAC. */
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  platform!: ApiPlatform;

  @Column({ type: 'text' })
  environment!: Environment;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  /** PKCE verifier, sealed; null for platforms without PKCE (Twitch). */
  @Column({ name: 'code_verifier_sealed', type: 'text', nullable: true })
  codeVerifierSealed!: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /** Set by the one callback that may use it; a second use finds it set and is refused. */
  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}
