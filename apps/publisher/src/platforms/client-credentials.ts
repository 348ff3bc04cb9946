import { PLATFORM_CREDENTIAL_VARIABLES, PLATFORM_RULES, type ApiPlatform } from '@streamcaster/contracts';
import { PlatformError } from './platform-error.js';

/** StreamCaster's OAuth client at a platform (at Facebook: the app id and app secret). */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** The variables of the platform's client credentials that are not set (`PlatformOAuth.missingConfiguration`). */
export function missingCredentials(platform: ApiPlatform, clientId: string | null | undefined, clientSecret: string | null | undefined): string[] {
  const [idVariable, secretVariable] = PLATFORM_CREDENTIAL_VARIABLES[platform];
  return [...(clientId ? [] : [idVariable]), ...(clientSecret ? [] : [secretVariable])];
}

/** Both credentials, or a `refused` error that names the variables to set. */
export function requireCredentials(platform: ApiPlatform, clientId: string | null | undefined, clientSecret: string | null | undefined): ClientCredentials {
  if (!clientId || !clientSecret) {
    throw new PlatformError(platform, 'refused', `${PLATFORM_RULES[platform].label} is not configured: set ${missingCredentials(platform, clientId, clientSecret).join(' and ')}`);
  }
  return { clientId, clientSecret };
}
