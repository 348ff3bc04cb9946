import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Environment, IngestProtocol } from '@streamcaster/contracts';

/** One DJ publisher connection, from on_publish to on_publish_done. */
@Entity({ name: 'ingest_sessions' })
export class IngestSessionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'dj_id', type: 'uuid' })
  djId!: string;

  @Column({ type: 'text' })
  environment!: Environment;

  /** nginx-rtmp (OBS) or Icecast (Traktor): which server is asked whether the DJ still sends. */
  @Column({ type: 'text', default: 'rtmp' })
  protocol!: IngestProtocol;

  /** nginx-rtmp's connection id, echoed in on_publish_done; for Icecast, the mount. */
  @Column({ name: 'client_id', type: 'text' })
  clientId!: string;

  @Column({ name: 'remote_address', type: 'text' })
  remoteAddress!: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;
}
