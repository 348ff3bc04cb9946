import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'djs' })
export class DjEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** The name of the DJ's Icecast mounts (`/live/<slug>`), made from the name once and kept. */
  @Column({ type: 'text', unique: true })
  slug!: string;

  /** SHA-256 of the stream key; the key itself is shown once and never stored. */
  @Column({ name: 'stream_key_hash', type: 'text', unique: true })
  streamKeyHash!: string;

  @Column({ name: 'key_rotated_at', type: 'timestamptz' })
  keyRotatedAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
