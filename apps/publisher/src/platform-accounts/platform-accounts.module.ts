import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PlatformAdapters } from '../platforms/platform-adapters.js';
import { OAuthAttemptEntity } from './oauth-attempt.entity.js';
import { PlatformAccountEntity } from './platform-account.entity.js';
import { PlatformAccountsNatsController } from './platform-accounts.nats.controller.js';
import { PlatformAccountsRepository } from './platform-accounts.repository.js';
import { PlatformAccountsService } from './platform-accounts.service.js';
import { DatabaseQuotaLedger } from './quota-ledger.js';
import { QuotaUsageEntity } from './quota-usage.entity.js';
import { TokenRefresher } from './token-refresher.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([PlatformAccountEntity, OAuthAttemptEntity, QuotaUsageEntity])],
  controllers: [PlatformAccountsNatsController],
  providers: [PlatformAccountsRepository, PlatformAccountsService, PlatformAdapters, DatabaseQuotaLedger, TokenRefresher],
  exports: [PlatformAccountsService, PlatformAccountsRepository, PlatformAdapters],
})
export class PlatformAccountsModule {}
