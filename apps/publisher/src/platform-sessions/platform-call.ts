import { PLATFORM_RULES, type ApiPlatform } from '@streamcaster/contracts';
import type { AccountAccess } from '../platform-accounts/platform-accounts.service.js';
import type { PlatformCallContext } from '../platforms/platform-adapter.js';
import { PlatformError } from '../platforms/platform-error.js';

/** Where a platform call gets its token: the platform accounts (the service, or a test's stand-in). */
export interface TokenSource {
  access(accountId: string): Promise<AccountAccess>;
  refreshAfterRefusal(accountId: string, failedToken: string): Promise<AccountAccess>;
}

/** What a call is about, besides the token: the context every adapter step receives. */
export type CallSubject = Omit<PlatformCallContext, 'externalId' | 'accessToken'>;

/**
 * Calls a platform with a token that is valid now. A refused token is refreshed once and the call
 * made again: tokens can be revoked or expire early, and the platform is the judge. Used by every
 * step of a platform session and by title edits alike.
 */
export async function callWithFreshToken<T>(
  platform: ApiPlatform,
  tokens: TokenSource,
  subject: CallSubject,
  work: (context: PlatformCallContext) => Promise<T>,
): Promise<T> {
  const contextOf = (access: AccountAccess): PlatformCallContext => ({ ...subject, externalId: access.externalId, accessToken: access.accessToken });
  const access = await tokens.access(subject.accountId);
  try {
    return await work(contextOf(access));
  } catch (error) {
    if (!(error instanceof PlatformError) || error.kind !== 'auth') throw error;
    const fresh = await tokens.refreshAfterRefusal(subject.accountId, access.accessToken);
    try {
      return await work(contextOf(fresh));
    } catch (again) {
      if (again instanceof PlatformError && again.kind === 'auth') {
        const label = PLATFORM_RULES[platform].label;
        throw new PlatformError(platform, 'revoked', `${label} refuses even a freshly renewed sign-in (${again.message}); reconnect the account`);
      }
      throw again;
    }
  }
}
