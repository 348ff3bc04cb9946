import { z } from 'zod';
import { defineCommand } from '../envelope.js';
import { apiPlatformSchema, environmentSchema } from '../domain.js';

/**
 * `connected`: usable. `needs-reconnect`: its refresh failed (revoked, expired, scopes withdrawn);
 * `statusReason` has the platform's words and its destinations show it. `choose-page`: a Facebook login
 * that manages several pages; one must be chosen before it can stream.
 */
export const platformAccountStatusSchema = z.enum(['connected', 'needs-reconnect', 'choose-page']);
export type PlatformAccountStatus = z.infer<typeof platformAccountStatusSchema>;

/** A connected account as the API shows it: who it is on the platform, never its tokens. */
export const platformAccountViewSchema = z.object({
  id: z.uuid(),
  platform: apiPlatformSchema,
  environment: environmentSchema,
  /** The platform's id of the channel/user/page (YouTube channel id, Twitch user id, page id, Kick user id). */
  externalId: z.string(),
  /** The channel title, Twitch login, page name or Kick slug. */
  displayName: z.string(),
  /** Where the fans find it (channel page). */
  channelUrl: z.string().nullable(),
  scopes: z.array(z.string()),
  status: platformAccountStatusSchema,
  statusReason: z.string().nullable(),
  /** Facebook pages to choose from while `choose-page`. */
  pages: z.array(z.object({ id: z.string(), name: z.string() })),
  /** YouTube's daily API units: spent today (Pacific day) out of this account's budget. */
  quota: z.object({ usedToday: z.number().int().nonnegative(), dailyBudget: z.number().int().positive() }).nullable(),
  connectedBy: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type PlatformAccountView = z.infer<typeof platformAccountViewSchema>;

/** What a platform needs before an account can be connected, for the dashboard's "Connect" panel. */
export const platformSetupViewSchema = z.object({
  platform: apiPlatformSchema,
  label: z.string(),
  configured: z.boolean(),
  /** The environment variables still to set when not configured. */
  missing: z.array(z.string()),
  /** The redirect URI to register with the platform's developer console. */
  redirectUri: z.string(),
  /** Null when it has a private mode for Test; otherwise why Test leaves it out. */
  noTestReason: z.string().nullable(),
});
export type PlatformSetupView = z.infer<typeof platformSetupViewSchema>;

export const platformConnectRequestSchema = z.strictObject({
  platform: apiPlatformSchema,
  environment: environmentSchema,
});

export const StartPlatformConnect = defineCommand(
  'publisher',
  'platform-accounts.connect.v1',
  platformConnectRequestSchema.extend({ userId: z.uuid() }),
  z.object({ authorizeUrl: z.string() }),
);

/**
 * The outcome of the OAuth callback, which the gateway turns into a redirect to the Destinations page:
 * `connected`, `choose-page` (Facebook, several pages), `denied` (the user said no),
 * `invalid-state` (forged, expired or reused), `failed` (the platform refused the code, or the
 * account cannot stream). Nothing is stored unless connected or choose-page.
 */
export const platformConnectOutcomeSchema = z.enum(['connected', 'choose-page', 'denied', 'invalid-state', 'failed']);
export type PlatformConnectOutcome = z.infer<typeof platformConnectOutcomeSchema>;

export const CompletePlatformConnect = defineCommand(
  'publisher',
  'platform-accounts.callback.v1',
  z.object({
    platform: apiPlatformSchema,
    state: z.string().max(2048).optional(),
    code: z.string().max(4096).optional(),
    error: z.string().max(200).optional(),
    errorDescription: z.string().max(1000).optional(),
  }),
  z.object({
    outcome: platformConnectOutcomeSchema,
    message: z.string(),
    accountId: z.uuid().nullable(),
    environment: environmentSchema.nullable(),
  }),
);

export const ListPlatformAccounts = defineCommand(
  'publisher',
  'platform-accounts.list.v1',
  z.object({ environment: environmentSchema.optional() }),
  z.array(platformAccountViewSchema),
);

export const ListPlatformSetups = defineCommand('publisher', 'platform-accounts.setups.v1', z.object({}), z.array(platformSetupViewSchema));

export const choosePageRequestSchema = z.strictObject({ pageId: z.string().min(1).max(64) });
export const ChoosePlatformPage = defineCommand(
  'publisher',
  'platform-accounts.choose-page.v1',
  choosePageRequestSchema.extend({ id: z.uuid() }),
  platformAccountViewSchema,
);

/** Revoked at the platform where it can be (`revoked` false says it could not, and why), then deleted. */
export const DeletePlatformAccount = defineCommand(
  'publisher',
  'platform-accounts.delete.v1',
  z.object({ id: z.uuid() }),
  z.object({ id: z.uuid(), revoked: z.boolean(), message: z.string() }),
);
