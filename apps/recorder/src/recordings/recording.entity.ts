import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type RecordingState = 'recording' | 'finalizing' | 'ready' | 'failed';

@Entity({ name: 'recordings' })
export class RecordingEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'broadcast_id', type: 'uuid', unique: true })
  broadcastId!: string;

  @Column({ type: 'text' })
  state!: RecordingState;

  /** Folder of the recording, relative to the recordings volume. */
  @Column({ type: 'text' })
  directory!: string;

  /** The finished MP4, relative to the recordings volume; null until finalised. */
  @Column({ name: 'file_path', type: 'text', nullable: true })
  filePath!: string | null;

  @Column({ name: 'duration_seconds', type: 'double precision', nullable: true })
  durationSeconds!: number | null;

  @Column({ name: 'size_bytes', type: 'bigint', nullable: true, transformer: { to: (value: number | null) => value, from: (value: string | null) => (value === null ? null : Number(value)) } })
  sizeBytes!: number | null;

  @Column({ type: 'integer', default: 0 })
  segments!: number;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'finalized_at', type: 'timestamptz', nullable: true })
  finalizedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;
}
