import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Environment, Platform, PlatformPrivacy } from '@streamcaster/contracts';

@Entity({ name: 'destinations' })
export class DestinationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  environment!: Environment;

  @Column({ type: 'text' })
  platform!: Platform;

  @Column({ type: 'text' })
  name!: string;

  /** The RTMP(S) server of an `rtmp` destination; null for API platforms (they hand out the ingest). */
  @Column({ type: 'text', nullable: true })
  url!: string | null;

  /** AES-256-GCM sealed (SecretBox); opened only to build a relay's output URL. Null for API platforms. */
  @Column({ name: 'stream_key_sealed', type: 'text', nullable: true })
  streamKeySealed!: string | null;

  /** The platform account an API-platform destination streams as. */
  @Column({ name: 'account_id', type: 'uuid', nullable: true })
  accountId!: string | null;

  @Column({ type: 'text', nullable: true })
  privacy!: PlatformPrivacy | null;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
