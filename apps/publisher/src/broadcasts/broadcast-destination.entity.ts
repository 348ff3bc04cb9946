import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Platform, RelayState } from '@streamcaster/contracts';
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
}
