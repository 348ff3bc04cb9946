import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { TranscodeJob } from '@streamcaster/contracts';

/** One broadcast's program: what to encode, and whether it is still wanted. */
@Entity({ name: 'programs' })
export class ProgramEntity {
  @PrimaryColumn({ name: 'broadcast_id', type: 'uuid' })
  broadcastId!: string;

  @Column({ type: 'jsonb' })
  job!: TranscodeJob;

  @Column({ type: 'boolean', default: true })
  wanted!: boolean;

  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt!: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  /** "Artist – Title" of the track playing now; null before the first. */
  @Column({ name: 'now_playing', type: 'text', nullable: true })
  nowPlaying!: string | null;
}
