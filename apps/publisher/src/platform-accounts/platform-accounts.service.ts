import { Injectable, Logger } from '@nestjs/common';
import {
  PLATFORM_RULES,
  type ApiPlatform,
  type CommandRequest,
  type CommandResponse,
  type CompletePlatformConnect,
  type Environment,
  type PlatformAccountView,
  type PlatformSetupView,
} from '@streamcaster/contracts';
import { BusException, SecretBox } from '@streamcaster/service-kit';
import type { EntityManager } from 'typeorm';
import { PublisherConfig } from '../config/publisher.config.js';
import type { AccountIdentity, PageChoice, TokenSet } from '../platforms/platform-adapter.js';
import { PlatformAdapters } from '../platforms/platform-adapters.js';
import { PlatformError, asPlatformError } from '../platforms/platform-error.js';
import type { PlatformAccountEntity } from './platform-account.entity.js';
import { PlatformAccountsRepository } from './platform-accounts.repository.js';
import { DatabaseQuotaLedger } from './quota-ledger.js';
import { newPkcePair, OAUTH_STATE_TTL_MS, OAuthStateSigner } from './oauth-state.js';

type ConnectOutcome = CommandResponse<typeof CompletePlatformConnect>;

/** What a broadcast step needs of its account: who it is and a token that is valid now. */
export interface AccountAccess {
  accountId: string;
  platform: ApiPlatform;
  environment: Environment;
  externalId: string;
  accessToken: string;
}

/**
 * Platform accounts: connecting one (the OAuth authorization-code flow with a signed, single-use,
 * 10-minute state bound to the user who started it, and PKCE where the platform has it), keeping its
 * tokens sealed and fresh, and saying plainly when it must be reconnected.
 */
@Injectable()
export class PlatformAccountsService {
  private readonly logger = new Logger(PlatformAccountsService.name);
  private readonly states: OAuthStateSigner;
  /** One refresh per account at a time in this replica (the database lock covers the others). */
  private readonly refreshing = new Map<string, Promise<PlatformAccountEntity>>();

  constructor(
    private readonly accounts: PlatformAccountsRepository,
    private readonly adapters: PlatformAdapters,
    private readonly secrets: SecretBox,
    private readonly quota: DatabaseQuotaLedger,
    private readonly config: PublisherConfig,
  ) {
    this.states = new OAuthStateSigner(config.secretKey);
  }

  redirectUri(platform: ApiPlatform): string {
    return `${this.config.publicUrl}/api/platform-accounts/callback/${platform}`;
  }

  setups(): PlatformSetupView[] {
    return (['youtube', 'twitch', 'facebook', 'kick'] as const).map((platform) => {
      const missing = this.adapters.get(platform).oauth.missingConfiguration();
      return {
        platform,
        label: PLATFORM_RULES[platform].label,
        configured: missing.length === 0,
        missing,
        redirectUri: this.redirectUri(platform),
        noTestReason: PLATFORM_RULES[platform].noTestReason,
      };
    });
  }

  async startConnect(request: { platform: ApiPlatform; environment: Environment; userId: string }): Promise<{ authorizeUrl: string }> {
    const { platform, environment, userId } = request;
    const rules = PLATFORM_RULES[platform];
    if (environment === 'test' && rules.noTestReason) throw new BusException('invalid', rules.noTestReason);
    const oauth = this.adapters.get(platform).oauth;
    const missing = oauth.missingConfiguration();
    if (missing.length > 0) throw new BusException('invalid', `${rules.label} is not configured: set ${missing.join(' and ')} (see .env.example)`);
    const attemptId = this.states.newAttemptId();
    const pkce = oauth.usesPkce ? newPkcePair() : null;
    await this.accounts.saveAttempt({
      id: attemptId,
      platform,
      environment,
      userId,
      codeVerifierSealed: pkce ? this.secrets.seal(pkce.verifier) : null,
      expiresAt: new Date(Date.now() + OAUTH_STATE_TTL_MS),
      usedAt: null,
    });
    await this.accounts.pruneAttempts();
    return {
      authorizeUrl: oauth.authorizeUrl({ state: this.states.sign(attemptId), redirectUri: this.redirectUri(platform), codeChallenge: pkce?.challenge ?? null }),
    };
  }

  /**
   * The platform sent the user back. The state is checked before anything else; nothing is stored
   * unless the whole exchange succeeded.
   */
  async completeConnect(request: CommandRequest<typeof CompletePlatformConnect>): Promise<ConnectOutcome> {
    const { platform } = request;
    const label = PLATFORM_RULES[platform].label;
    const refuse = (outcome: ConnectOutcome['outcome'], message: string, environment: Environment | null = null): ConnectOutcome => {
      this.logger.warn(`connecting a ${label} account: ${outcome}: ${message}`);
      return { outcome, message, accountId: null, environment };
    };

    const attemptId = request.state ? this.states.verify(request.state) : null;
    if (!attemptId) return refuse('invalid-state', `The ${label} sign-in came back without a valid state: it was not started here or was altered. Nothing was connected; press Connect again.`);
    const attempt = await this.accounts.takeAttempt(attemptId);
    if (!attempt) return refuse('invalid-state', `This ${label} sign-in was already used or is unknown. Nothing was connected; press Connect again.`);
    if (attempt.expiresAt.getTime() < Date.now()) {
      return refuse('invalid-state', `This ${label} sign-in took longer than 10 minutes and has expired. Nothing was connected; press Connect again.`, attempt.environment);
    }
    if (attempt.platform !== platform) return refuse('invalid-state', `This sign-in was started for ${PLATFORM_RULES[attempt.platform].label}, not ${label}. Nothing was connected.`);
    if (request.error) {
      if (request.error === 'access_denied') {
        return refuse('denied', `You did not allow StreamCaster to use your ${label} account; nothing was connected.`, attempt.environment);
      }
      return refuse('failed', `${label} refused the sign-in: ${request.errorDescription ?? request.error}. Nothing was connected.`, attempt.environment);
    }
    if (!request.code) return refuse('failed', `${label} sent the user back without an authorization code. Nothing was connected.`, attempt.environment);

    const adapter = this.adapters.get(platform);
    try {
      const tokens = await adapter.oauth.exchangeCode({
        code: request.code,
        redirectUri: this.redirectUri(platform),
        codeVerifier: attempt.codeVerifierSealed ? this.secrets.open(attempt.codeVerifierSealed) : null,
      });
      const missingScopes = adapter.oauth.scopes.filter((scope) => !tokens.scopes.includes(scope));
      if (missingScopes.length > 0) {
        return refuse('failed', `${label} granted StreamCaster less than it needs (missing: ${missingScopes.join(', ')}). Nothing was connected; allow every permission when asked.`, attempt.environment);
      }
      const identity = await adapter.oauth.identify(tokens.accessToken);
      const account = await this.store(platform, attempt.environment, attempt.userId, tokens, identity);
      if (account.status === 'choose-page') {
        return { outcome: 'choose-page', message: `Choose which Facebook page StreamCaster streams as.`, accountId: account.id, environment: account.environment };
      }
      this.logger.log(`${label} account ${account.displayName} (${account.externalId}) connected for ${account.environment}`);
      return { outcome: 'connected', message: `${label} account ${account.displayName} is connected for ${account.environment}.`, accountId: account.id, environment: account.environment };
    } catch (error) {
      const reason = asPlatformError(platform, label, error);
      return refuse('failed', `${reason.message}. Nothing was connected.`, attempt.environment);
    }
  }

  /** Saves a connected account: a channel connected again (same identity) gets the new tokens. */
  private async store(
    platform: ApiPlatform,
    environment: Environment,
    userId: string,
    tokens: TokenSet,
    identity: AccountIdentity | PageChoice,
  ): Promise<PlatformAccountEntity> {
    const sealed = {
      accessTokenSealed: this.secrets.seal(tokens.accessToken),
      refreshTokenSealed: tokens.refreshToken ? this.secrets.seal(tokens.refreshToken) : null,
      accessTokenExpiresAt: tokens.expiresAt,
      scopes: tokens.scopes,
      connectedBy: userId,
      statusReason: null,
    };
    if ('pages' in identity) {
      if (identity.pages.length === 0) {
        throw new PlatformError(platform, 'refused', 'this Facebook login manages no Facebook page; StreamCaster streams to a page');
      }
      if (identity.pages.length > 1) {
        return this.accounts.save({
          platform,
          environment,
          ...sealed,
          externalId: '',
          displayName: 'Facebook (page to choose)',
          channelUrl: null,
          status: 'choose-page',
          details: { pages: identity.pages.map(({ id, name }) => ({ id, name })) },
          secretsSealed: this.secrets.seal(JSON.stringify(Object.fromEntries(identity.pages.map((page) => [page.id, { token: page.accessToken, url: page.channelUrl }])))),
        });
      }
      const [page] = identity.pages as [PageChoice['pages'][number]];
      // Streams go out as the page, with the page's own token (it does not expire while the login lasts).
      return this.upsert({ platform, environment, ...sealed, accessTokenSealed: this.secrets.seal(page.accessToken), externalId: page.id, displayName: page.name, channelUrl: page.channelUrl });
    }
    return this.upsert({ platform, environment, ...sealed, ...identity });
  }

  private async upsert(account: Partial<PlatformAccountEntity> & Pick<PlatformAccountEntity, 'platform' | 'environment' | 'externalId'>): Promise<PlatformAccountEntity> {
    const existing = await this.accounts.findByIdentity(account);
    return this.accounts.save({ ...existing, ...account, status: 'connected', statusReason: null, details: { ...existing?.details }, secretsSealed: null });
  }

  async choosePage(id: string, pageId: string): Promise<PlatformAccountView> {
    const account = await this.accounts.findById(id);
    if (!account) throw new BusException('not_found', `no platform account with id ${id}`);
    if (account.status !== 'choose-page' || !account.secretsSealed) throw new BusException('conflict', `account ${account.displayName} has no page to choose`);
    const pages = JSON.parse(this.secrets.open(account.secretsSealed)) as Record<string, { token: string; url: string | null }>;
    const page = pages[pageId];
    const name = account.details.pages?.find((candidate) => candidate.id === pageId)?.name;
    if (!page || !name) throw new BusException('invalid', `pageId: ${pageId} is not one of the pages this Facebook login manages`);
    const existing = await this.accounts.findByIdentity({ platform: account.platform, environment: account.environment, externalId: pageId });
    if (existing) await this.accounts.delete(account.id);
    const saved = await this.accounts.save({
      ...(existing ?? account),
      externalId: pageId,
      displayName: name,
      channelUrl: page.url,
      accessTokenSealed: this.secrets.seal(page.token),
      status: 'connected',
      statusReason: null,
      details: {},
      secretsSealed: null,
    });
    return this.toView(saved);
  }

  async list(environment?: Environment): Promise<PlatformAccountView[]> {
    return Promise.all((await this.accounts.list(environment)).map((account) => this.toView(account)));
  }

  async get(id: string): Promise<PlatformAccountView> {
    const account = await this.accounts.findById(id);
    if (!account) throw new BusException('not_found', `no platform account with id ${id}`);
    return this.toView(account);
  }

  /** Revoked at the platform where possible, then deleted. Refused while a destination streams as it. */
  async delete(id: string): Promise<{ id: string; revoked: boolean; message: string }> {
    const account = await this.accounts.findById(id);
    if (!account) throw new BusException('not_found', `no platform account with id ${id}`);
    const users = await this.accounts.destinationsUsing(id);
    if (users.length > 0) {
      throw new BusException('conflict', `account ${account.displayName} is used by destination(s) ${users.join(', ')}: delete them or give them another account first`);
    }
    const label = PLATFORM_RULES[account.platform].label;
    let revoked = false;
    let message: string;
    try {
      await this.adapters.get(account.platform).oauth.revoke({
        accessToken: this.secrets.open(account.accessTokenSealed),
        refreshToken: account.refreshTokenSealed ? this.secrets.open(account.refreshTokenSealed) : null,
      });
      revoked = true;
      message = `${label} account ${account.displayName} was revoked at ${label} and deleted.`;
    } catch (error) {
      message = `${label} account ${account.displayName} was deleted here, but ${label} did not confirm the revocation (${asPlatformError(account.platform, label, error).message}); remove StreamCaster from the account's connected apps there.`;
    }
    await this.accounts.delete(id);
    this.logger.log(message);
    return { id, revoked, message };
  }

  /**
   * The account and a token valid for at least the refresh margin. Throws a `revoked` PlatformError
   * when the account must be reconnected (the reason is the platform's).
   */
  async access(accountId: string): Promise<AccountAccess> {
    let account = await this.accounts.findById(accountId);
    if (!account) throw new PlatformError('youtube', 'refused', 'its platform account was deleted; choose another account for this destination');
    const label = PLATFORM_RULES[account.platform].label;
    if (account.status === 'needs-reconnect') {
      throw new PlatformError(account.platform, 'revoked', `the ${label} account ${account.displayName} needs to be reconnected: ${account.statusReason ?? 'its sign-in is no longer valid'}`);
    }
    if (account.status === 'choose-page') throw new PlatformError(account.platform, 'refused', `choose the Facebook page of account ${account.id} first`);
    if (this.expiresSoon(account)) account = await this.refresh(account.id, account.accessTokenSealed);
    return this.toAccess(account);
  }

  /**
   * The platform refused the token: refresh it, unless another call already did (then the new one is
   * returned). `failedToken` is the token that was refused.
   */
  async refreshAfterRefusal(accountId: string, failedToken: string): Promise<AccountAccess> {
    const account = await this.accounts.findById(accountId);
    if (!account) throw new PlatformError('youtube', 'refused', 'its platform account was deleted');
    if (this.secrets.open(account.accessTokenSealed) !== failedToken) return this.toAccess(account);
    return this.toAccess(await this.refresh(accountId, account.accessTokenSealed));
  }

  /** Refreshes every account whose token runs out within the margin (the token refresher's pass). */
  async refreshExpiring(): Promise<void> {
    for (const account of await this.accounts.expiringBefore(new Date(Date.now() + this.config.tokenRefreshMarginMs))) {
      if (!account.refreshTokenSealed && account.accessTokenExpiresAt && account.accessTokenExpiresAt.getTime() > Date.now()) continue;
      await this.refresh(account.id, account.accessTokenSealed).catch((error: Error) => {
        this.logger.warn(`refreshing ${account.platform} account ${account.displayName}: ${error.message}`);
      });
    }
  }

  private expiresSoon(account: PlatformAccountEntity): boolean {
    return account.accessTokenExpiresAt !== null && account.accessTokenExpiresAt.getTime() - this.config.tokenRefreshMarginMs < Date.now();
  }

  /** One refresh per account at a time, in this replica and across replicas (rotating refresh tokens). */
  private refresh(accountId: string, staleSealed: string): Promise<PlatformAccountEntity> {
    const running = this.refreshing.get(accountId);
    if (running) return running;
    const refresh = this.accounts
      // The transaction commits what it learnt (new tokens, or needs-reconnect) before anything throws.
      .transaction(async (manager): Promise<PlatformAccountEntity | PlatformError> => {
        await this.accounts.lock(manager, accountId);
        const account = await this.accounts.findById(accountId, manager);
        if (!account) return new PlatformError('youtube', 'refused', 'its platform account was deleted');
        // Another replica refreshed it while this one waited for the lock.
        if (account.accessTokenSealed !== staleSealed && !this.expiresSoon(account)) return account;
        const label = PLATFORM_RULES[account.platform].label;
        if (!account.refreshTokenSealed) {
          return this.needsReconnect(manager, account, `the ${label} sign-in expired and ${label} gives no way to renew it without you`);
        }
        try {
          const tokens = await this.adapters.get(account.platform).oauth.refresh(this.secrets.open(account.refreshTokenSealed));
          account.accessTokenSealed = this.secrets.seal(tokens.accessToken);
          // Platforms that rotate refresh tokens (Kick) hand out a new one; the others keep the old.
          if (tokens.refreshToken) account.refreshTokenSealed = this.secrets.seal(tokens.refreshToken);
          account.accessTokenExpiresAt = tokens.expiresAt;
          if (tokens.scopes.length > 0) account.scopes = tokens.scopes;
          return await this.accounts.save(account, manager);
        } catch (error) {
          const reason = asPlatformError(account.platform, label, error);
          // Down or slow: the grant may be fine; try again later and keep the account as it is.
          if (reason.retryable) return reason;
          return this.needsReconnect(manager, account, reason.message);
        }
      })
      .then((outcome) => {
        if (outcome instanceof PlatformError) throw outcome;
        return outcome;
      })
      .finally(() => this.refreshing.delete(accountId));
    this.refreshing.set(accountId, refresh);
    return refresh;
  }

  private async needsReconnect(manager: EntityManager, account: PlatformAccountEntity, reason: string): Promise<PlatformError> {
    const label = PLATFORM_RULES[account.platform].label;
    account.status = 'needs-reconnect';
    account.statusReason = reason;
    await this.accounts.save(account, manager);
    this.logger.warn(`${label} account ${account.displayName} needs to be reconnected: ${reason}`);
    return new PlatformError(account.platform, 'revoked', `the ${label} account ${account.displayName} needs to be reconnected: ${reason}`);
  }

  private toAccess(account: PlatformAccountEntity): AccountAccess {
    return {
      accountId: account.id,
      platform: account.platform,
      environment: account.environment,
      externalId: account.externalId,
      accessToken: this.secrets.open(account.accessTokenSealed),
    };
  }

  private async toView(account: PlatformAccountEntity): Promise<PlatformAccountView> {
    return {
      id: account.id,
      platform: account.platform,
      environment: account.environment,
      externalId: account.externalId,
      displayName: account.displayName,
      channelUrl: account.channelUrl,
      scopes: account.scopes,
      status: account.status,
      statusReason: account.statusReason,
      pages: account.details.pages ?? [],
      quota: account.platform === 'youtube' ? { usedToday: await this.quota.usedToday(account.id), dailyBudget: this.config.youtubeDailyQuota } : null,
      connectedBy: account.connectedBy,
      createdAt: account.createdAt.toISOString(),
      updatedAt: account.updatedAt.toISOString(),
    };
  }
}
