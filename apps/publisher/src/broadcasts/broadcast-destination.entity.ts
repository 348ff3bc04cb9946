import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { RelayState } from '@streamcaster/contracts';
import type { BroadcastEntity } from './broadcast.entity.js';

/** One destination of one broadcast: a snapshot of its name and the state of its relay. */
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
  state!: RelayState;

  @Column({ type: 'integer', default: 0 })
  reconnects!: number;

  @Column({ name: 'bitrate_kbps', type: 'real', nullable: true })
  bitrateKbps!: number | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;
}
