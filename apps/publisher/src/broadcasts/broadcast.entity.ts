import { Column, Entity, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import type { BroadcastState, Environment, IngestProtocol } from '@streamcaster/contracts';
import { BroadcastDestinationEntity } from './broadcast-destination.entity.js';

@Entity({ name: 'broadcasts' })
export class BroadcastEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  environment!: Environment;

  @Column({ name: 'dj_id', type: 'uuid' })
  djId!: string;

  @Column({ name: 'dj_name', type: 'text' })
  djName!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'text' })
  state!: BroadcastState;

  /** The DJ's stream inside nginx-rtmp, e.g. live/<djId>. */
  @Column({ name: 'input_app', type: 'text' })
  inputApp!: Environment;

  @Column({ name: 'input_stream', type: 'text' })
  inputStream!: string;

  /** nginx-rtmp (input_app/input_stream) or Icecast (the mount /input_app/input_stream). */
  @Column({ name: 'input_protocol', type: 'text', default: 'rtmp' })
  inputProtocol!: IngestProtocol;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  /** The DJ connection (gateway ingest session) the broadcast runs on now. */
  @Column({ name: 'current_ingest_id', type: 'uuid', nullable: true })
  currentIngestId!: string | null;

  /** The DJ connection whose loss started the current grace period; null when not interrupted. */
  @Column({ name: 'interrupted_by_ingest_id', type: 'uuid', nullable: true })
  interruptedByIngestId!: string | null;

  @Column({ name: 'interrupted_at', type: 'timestamptz', nullable: true })
  interruptedAt!: Date | null;

  @Column({ name: 'end_reason', type: 'text', nullable: true })
  endReason!: string | null;

  /** The last track of its tracklist (kept here too, so that listing broadcasts reads one table). */
  @Column({ name: 'now_playing', type: 'jsonb', nullable: true })
  nowPlaying!: { artist: string | null; title: string; startedAt: string } | null;

  @OneToMany(() => BroadcastDestinationEntity, (destination) => destination.broadcast, { cascade: ['insert'] })
  destinations!: BroadcastDestinationEntity[];
}
