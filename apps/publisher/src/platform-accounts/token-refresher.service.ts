import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { LeaderTask } from '@streamcaster/service-kit';
import { PlatformAccountsService } from './platform-accounts.service.js';

/** How often the leader looks for tokens about to run out. */
const LOOK_EVERY_MS = 60_000;

/**
 * Refreshes access tokens before they expire, broadcast or not, so that an account whose grant was
 * revoked shows `needs-reconnect` on the dashboard before the next set rather than during it.
 */
@Injectable()
export class TokenRefresher extends LeaderTask {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly accounts: PlatformAccountsService,
  ) {
    super(dataSource, 'publisher-token-refresher', LOOK_EVERY_MS);
  }

  protected pass(): Promise<void> {
    return this.accounts.refreshExpiring();
  }
}
