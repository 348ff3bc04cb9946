import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ApiPlatform, Environment, PlatformAccountStatus } from '@streamcaster/contracts';

/**
 * A platform account connected by OAuth for one environment. Its tokens are sealed (SecretBox) and
 * never leave the publisher: no view, log line or event carries them.
 */
@Entity({ name: 'platform_accounts' })
export class PlatformAccountEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  platform!: ApiPlatform;

  @Column({ type: 'text' })
  environment!: Environment;

  /** The platform's id of the channel, user or page ('' while a Facebook page is still to choose). */
  @Column({ name: 'external_id', type: 'text' })
  externalId!: string;

  @Column({ name: 'display_name', type: 'text' })
  displayName!: string;

  @Column({ name: 'channel_url', type: 'text', nullable: true })
  channelUrl!: string | null;

  @Column({ type: 'text', array: true, default: () => `'{}'` })
  scopes!: string[];

  @Column({ type: 'text' })
  status!: PlatformAccountStatus;

  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason!: string | null;

  @Column({ name: 'access_token_sealed', type: 'text' })
  accessTokenSealed!: string;

  @Column({ name: 'refresh_token_sealed', type: 'text', nullable: true })
  refreshTokenSealed!: string | null;

  /** When the access token runs out; null when the platform did not say (refreshed on a 401 only). */
  @Column({ name: 'access_token_expires_at', type: 'timestamptz', nullable: true })
  accessTokenExpiresAt!: Date | null;

  /**
   * Platform specifics that are not secrets: Facebook's pages to choose from, YouTube's reusable
   * stream id. Page tokens (secrets) live sealed in `secrets_sealed`.
   */
  @Column({ type: 'jsonb', default: () => `'{}'` })
  details!: PlatformAccountDetails;

  /** Sealed JSON of further secrets (Facebook page access tokens by page id). */
  @Column({ name: 'secrets_sealed', type: 'text', nullable: true })
  secretsSealed!: string | null;

  @Column({ name: 'connected_by', type: 'uuid', nullable: true })
  connectedBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export interface PlatformAccountDetails {
  /** Facebook: the pages the login manages (id and name), while one is to be chosen. */
  pages?: Array<{ id: string; name: string }>;
  /** YouTube: the reusable liveStream kept for this channel (one per account). */
  youtubeStreamId?: string;
}
