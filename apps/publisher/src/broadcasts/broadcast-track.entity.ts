import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One track of a broadcast's tracklist: what played, from when. */
@Entity({ name: 'broadcast_tracks' })
export class BroadcastTrackEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'broadcast_id', type: 'uuid' })
  broadcastId!: string;

  @Column({ type: 'text', nullable: true })
  artist!: string | null;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text' })
  source!: 'api' | 'stream-metadata';

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;
}
