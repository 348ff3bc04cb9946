import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Logo, LogoPosition, VjSettings } from '@streamcaster/contracts';

/** The organisation's branding: one row (id 1), used for every broadcast of both environments. */
@Entity({ name: 'branding' })
export class BrandingEntity {
  @PrimaryColumn({ type: 'smallint' })
  id!: number;

  @Column({ name: 'organization_name', type: 'text' })
  organizationName!: string;

  @Column({ name: 'title_template', type: 'text' })
  titleTemplate!: string;

  @Column({ name: 'description_template', type: 'text' })
  descriptionTemplate!: string;

  /** What the slate says while the DJ is away, e.g. "{dj} will be right back". */
  @Column({ name: 'slate_template', type: 'text' })
  slateTemplate!: string;

  @Column({ name: 'logo_position', type: 'text' })
  logoPosition!: LogoPosition;

  @Column({ type: 'jsonb', nullable: true })
  logo!: Logo | null;

  /** The automated VJ: scenes it may use, palette, beats per look. */
  @Column({ type: 'jsonb' })
  vj!: VjSettings;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
