import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * admin: everything. operator: runs broadcasts and sees everything, but no users and no secrets.
 * dj: a user linked to one DJ, who sees only that DJ, its broadcasts and recordings.
 */
export type Role = 'admin' | 'operator' | 'dj';
export const ROLES = ['admin', 'operator', 'dj'] as const satisfies readonly Role[];

@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Stored lowercased; unique. */
  @Column({ type: 'text', unique: true })
  email!: string;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  @Column({ type: 'text' })
  role!: Role;

  /** The DJ a user with role dj acts for; null for every other role (a CHECK keeps it so). */
  @Column({ name: 'dj_id', type: 'uuid', nullable: true })
  djId!: string | null;

  /** A disabled user can neither log in nor refresh, and its access tokens are refused at once. */
  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
