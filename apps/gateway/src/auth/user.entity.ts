import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

import { ROLES, type Role } from '@streamcaster/contracts';

export { ROLES, type Role };

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
