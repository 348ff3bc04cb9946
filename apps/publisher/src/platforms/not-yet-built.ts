import type { ApiPlatform } from '@streamcaster/contracts';
import type { PlatformBroadcaster, PlatformOAuth } from './platform-adapter.js';
import { PlatformError } from './platform-error.js';

/** Stands for an adapter still being written (removed when the four have landed). */
export function notYetBuilt(platform: ApiPlatform, label: string): { oauth: PlatformOAuth; broadcaster: PlatformBroadcaster } {
  const refuse = (): never => {
    throw new PlatformError(platform, 'refused', `${label} is not supported yet`);
  };
  return {
    oauth: {
      usesPkce: false,
      scopes: [],
      missingConfiguration: () => [`${label} support`],
      authorizeUrl: refuse,
      exchangeCode: refuse,
      refresh: refuse,
      revoke: refuse,
      identify: refuse,
    },
    broadcaster: { prepare: refuse, observe: refuse, goOnAir: refuse, updateText: refuse, end: refuse },
  };
}
