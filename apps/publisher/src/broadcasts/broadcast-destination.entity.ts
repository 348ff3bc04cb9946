import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Platform, PlatformState, RelayState } from '@streamcaster/contracts';
import type { BroadcastEntity } from './broadcast.entity.js';

/** One destination of one broadcast: a snapshot of its name and platform, and the state of its relay. */
@Entity({ name: 'broadcast_destinations' })
export class BroadcastDestinationEntity {
  @PrimaryColumn({ name: 'broadcast_id', type: 'uuid' })
  broadcastId!: string;

  @PrimaryColumn({ name: 'destination_id', type: 'uuid' })
  destinationId!: string;

  @ManyToOne('BroadcastEntity', 'destinations', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'broadcast_id' })
  broadcast!: BroadcastEntity;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  platform!: Platform;

  @Column({ type: 'text' })
  state!: RelayState;

  /** When the relay last went `live`; null while it is not (the dashboard's uptime of the destination). */
  @Column({ name: 'live_since', type: 'timestamptz', nullable: true })
  liveSince!: Date | null;

  @Column({ type: 'integer', default: 0 })
  reconnects!: number;

  @Column({ name: 'bitrate_kbps', type: 'real', nullable: true })
  bitrateKbps!: number | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** API platforms: the account it streams as (a snapshot; null for `rtmp`). */
  @Column({ name: 'account_id', type: 'uuid', nullable: true })
  accountId!: string | null;

  /** What the platform says; null for `rtmp`. */
  @Column({ name: 'platform_state', type: 'text', nullable: true })
  platformState!: PlatformState | null;

  @Column({ name: 'platform_reason', type: 'text', nullable: true })
  platformReason!: string | null;

  /**
   * The platform's own ids for this broadcast (YouTube broadcast and stream, Facebook live video...),
   * saved after every step that created something there, so a step interrupted by a crash resumes
   * instead of creating it twice. Not secret.
   */
  @Column({ name: 'platform_refs', type: 'jsonb', default: () => `'{}'` })
  platformRefs!: Record<string, string>;

  /** The push URL the platform handed out (its key inside), sealed; null until it did. */
  @Column({ name: 'platform_ingest_sealed', type: 'text', nullable: true })
  platformIngestSealed!: string | null;

  @Column({ name: 'watch_url', type: 'text', nullable: true })
  watchUrl!: string | null;

  @Column({ type: 'integer', nullable: true })
  viewers!: number | null;

  /** The platform side is over (ended there, or given up): no worker is wanted for it any more. */
  @Column({ name: 'platform_finished', type: 'boolean', default: false })
  platformFinished!: boolean;
}
