import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'djs' })
export class DjEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** SHA-256 of the stream key; the key itself is shown once and never stored. */
  @Column({ name: 'stream_key_hash', type: 'text', unique: true })
  streamKeyHash!: string;

  @Column({ name: 'key_rotated_at', type: 'timestamptz' })
  keyRotatedAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
