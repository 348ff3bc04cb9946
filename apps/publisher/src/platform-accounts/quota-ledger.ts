import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { PublisherConfig } from '../config/publisher.config.js';
import { PlatformError } from '../platforms/platform-error.js';
import type { QuotaLedger, YouTubeMethod } from '../platforms/youtube/youtube-quota.js';

/** YouTube's quota day: it resets at midnight in California. */
export function quotaDay(at = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/**
 * The daily YouTube units of each account, in PostgreSQL so every replica counts into the same
 * figure. A call is charged before it is made, in one statement that refuses to pass the budget, so
 * two replicas racing cannot spend more than it either.
 */
@Injectable()
export class DatabaseQuotaLedger implements QuotaLedger {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: PublisherConfig,
  ) {}

  async spend(accountId: string, method: YouTubeMethod, units: number): Promise<void> {
    const budget = this.config.youtubeDailyQuota;
    const day = quotaDay();
    const rows = (await this.dataSource.query(
      `INSERT INTO publisher.platform_quota_usage (account_id, day, units) SELECT $1::uuid, $2::text, $3::int WHERE $3::int <= $4::int
       ON CONFLICT (account_id, day) DO UPDATE SET units = platform_quota_usage.units + EXCLUDED.units
         WHERE platform_quota_usage.units + EXCLUDED.units <= $4::int
       RETURNING units`,
      [accountId, day, units, budget],
    )) as Array<{ units: number }>;
    if (rows.length > 0) return;
    const used = await this.usedToday(accountId);
    throw new PlatformError(
      'youtube',
      'quota',
      `StreamCaster's daily YouTube budget for this account is spent (${used} of ${budget} units used today; ${method} needs ${units}); it resets at midnight Pacific time`,
      { code: 'budgetExhausted' },
    );
  }

  async usedToday(accountId: string): Promise<number> {
    const rows = (await this.dataSource.query(`SELECT units FROM publisher.platform_quota_usage WHERE account_id = $1 AND day = $2`, [accountId, quotaDay()])) as Array<{
      units: number;
    }>;
    return rows[0]?.units ?? 0;
  }
}
