import { Column, Entity, PrimaryColumn } from 'typeorm';

/** API units one account spent on one (Pacific) day: YouTube's quota, counted before each call. */
@Entity({ name: 'platform_quota_usage' })
export class QuotaUsageEntity {
  @PrimaryColumn({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  /** The quota day as YYYY-MM-DD in America/Los_Angeles (YouTube resets at Pacific midnight). */
  @PrimaryColumn({ type: 'text' })
  day!: string;

  @Column({ type: 'integer', default: 0 })
  units!: number;
}
