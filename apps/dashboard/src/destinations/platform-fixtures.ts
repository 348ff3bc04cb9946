import { PLATFORM_CREDENTIAL_VARIABLES, PLATFORM_RULES, type ApiPlatform, type PlatformAccountView, type PlatformSetupView } from '@streamcaster/contracts';

// Shapes of the gateway's answers for the Destinations page's tests, each checked by the client
// against its contract schema exactly as the real answers are.

export const ADMIN = { id: '00000000-0000-4000-8000-000000000001', email: 'admin@example.com', role: 'admin', djId: null } as const;
export const OPERATOR = { id: '00000000-0000-4000-8000-000000000002', email: 'operator@example.com', role: 'operator', djId: null } as const;

export const sessionOf = (user: typeof ADMIN | typeof OPERATOR) => ({ accessToken: 'token', expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(), user }) as never;

export function setup(platform: ApiPlatform, configured = true): PlatformSetupView {
  return {
    platform,
    label: PLATFORM_RULES[platform].label,
    configured,
    missing: configured ? [] : [...PLATFORM_CREDENTIAL_VARIABLES[platform]],
    redirectUri: `https://streamcaster.example/api/platform-accounts/callback/${platform}`,
    noTestReason: PLATFORM_RULES[platform].noTestReason,
  };
}

export const ALL_CONFIGURED = (['youtube', 'twitch', 'facebook', 'kick'] as const).map((platform) => setup(platform));

let counter = 0;
export function account(overrides: Partial<PlatformAccountView> & Pick<PlatformAccountView, 'platform'>): PlatformAccountView {
  counter += 1;
  return {
    id: `aaaaaaaa-aaaa-4aaa-8aaa-${String(counter).padStart(12, '0')}`,
    environment: 'live',
    externalId: `external-${counter}`,
    displayName: `${PLATFORM_RULES[overrides.platform].label} channel ${counter}`,
    channelUrl: null,
    scopes: [],
    status: 'connected',
    statusReason: null,
    pages: [],
    quota: null,
    connectedBy: ADMIN.id,
    createdAt: '2026-03-14T18:00:00.000Z',
    updatedAt: '2026-03-14T18:00:00.000Z',
    ...overrides,
  };
}
