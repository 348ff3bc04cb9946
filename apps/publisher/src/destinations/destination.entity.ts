import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Environment, Platform } from '@streamcaster/contracts';

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

  @Column({ type: 'text' })
  url!: string;

  /** AES-256-GCM sealed (SecretBox); opened only to build a relay's output URL. */
  @Column({ name: 'stream_key_sealed', type: 'text' })
  streamKeySealed!: string;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
