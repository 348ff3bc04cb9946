import { join } from 'node:path';
import type { ApiPlatform, Environment } from '@streamcaster/contracts';
import { FacebookFake } from './facebook-fake.js';
import { KickFake } from './kick-fake.js';
import { TwitchFake } from './twitch-fake.js';
import { YouTubeFake } from './youtube-fake.js';

/**
 * Who consents at each fake's authorize page, per environment: a channel (YouTube), a user (Twitch),
 * a person managing one page (Facebook), a user with a channel (Kick; Live only, Kick has no Test).
 */
export const FAKE_ACCOUNTS = {
  youtube: { live: { id: 'UCclubLive00000000000001', title: 'Club Live' }, test: { id: 'UCclubRehearsal000000001', title: 'Club Rehearsal' } },
  twitch: { live: { id: '41000001', login: 'clublive' }, test: { id: '41000002', login: 'clubrehearsal' } },
  facebook: {
    live: { user: { id: '10000000001', name: 'Club Admin' }, page: { id: '20000000001', name: 'Club Live Page' } },
    test: { user: { id: '10000000002', name: 'Club Rehearsal Admin' }, page: { id: '20000000002', name: 'Club Rehearsal Page' } },
  },
  kick: { live: { userId: 51000001, name: 'clublive', slug: 'clublive' } },
} as const;

/**
 * The four platform fakes of issue 7, started together for a whole-system test or a benchmark: each
 * with its OAuth client registered for StreamCaster's redirect URIs under `publicUrl`, its accounts
 * added, and `env()` the variables that point StreamCaster at them.
 */
export class PlatformFakes {
  private constructor(
    readonly youtube: YouTubeFake,
    readonly twitch: TwitchFake,
    readonly facebook: FacebookFake,
    readonly kick: KickFake,
    private readonly clients: Record<ApiPlatform, { clientId: string; clientSecret: string }>,
    private readonly publicUrl: string,
  ) {}

  static async start(options: { directory: string; publicUrl: string }): Promise<PlatformFakes> {
    const client = (platform: ApiPlatform) => ({
      clientId: `streamcaster-${platform}-client`,
      clientSecret: `streamcaster-${platform}-secret-${Math.random().toString(36).slice(2)}`,
      redirectUris: [`${options.publicUrl}/api/platform-accounts/callback/${platform}`],
    });
    const clients = { youtube: client('youtube'), twitch: client('twitch'), facebook: client('facebook'), kick: client('kick') };
    const [youtube, twitch, facebook, kick] = await Promise.all([
      YouTubeFake.start({ directory: join(options.directory, 'youtube'), client: clients.youtube }),
      TwitchFake.start({ directory: join(options.directory, 'twitch'), client: clients.twitch }),
      FacebookFake.start({ directory: join(options.directory, 'facebook'), client: clients.facebook }),
      KickFake.start({ directory: join(options.directory, 'kick'), client: clients.kick }),
    ]);
    for (const environment of ['live', 'test'] as const) {
      youtube.addChannel(FAKE_ACCOUNTS.youtube[environment]);
      twitch.addUser(FAKE_ACCOUNTS.twitch[environment]);
      const { user, page } = FAKE_ACCOUNTS.facebook[environment];
      facebook.addUser(user);
      facebook.addPage({ ...page, managers: [user.id] });
    }
    kick.addUser(FAKE_ACCOUNTS.kick.live);
    return new PlatformFakes(youtube, twitch, facebook, kick, clients, options.publicUrl);
  }

  /** The identity each fake's authorize page consents as next: the account of `environment`. */
  consentAs(platform: ApiPlatform, environment: Environment): void {
    switch (platform) {
      case 'youtube':
        this.youtube.oauth.consentAs(FAKE_ACCOUNTS.youtube[environment].id);
        break;
      case 'twitch':
        this.twitch.oauth.consentAs(FAKE_ACCOUNTS.twitch[environment].id);
        break;
      case 'facebook':
        this.facebook.oauth.consentAs(FAKE_ACCOUNTS.facebook[environment].user.id);
        break;
      case 'kick':
        this.kick.oauth.consentAs(String(FAKE_ACCOUNTS.kick.live.userId));
        break;
    }
  }

  /**
   * What StreamCaster's publisher needs to talk to the fakes (TWURPLE_MOCK_API_PORT among them), and
   * its PUBLIC_URL: the one the fakes registered the redirect URIs under, so that the two agree.
   */
  env(): Record<string, string> {
    return {
      PUBLIC_URL: this.publicUrl,
      YOUTUBE_CLIENT_ID: this.clients.youtube.clientId,
      YOUTUBE_CLIENT_SECRET: this.clients.youtube.clientSecret,
      YOUTUBE_API_URL: this.youtube.apiUrl,
      GOOGLE_AUTH_URL: this.youtube.authUrl,
      GOOGLE_TOKEN_URL: this.youtube.tokenUrl,
      GOOGLE_REVOKE_URL: this.youtube.revokeUrl,
      TWITCH_CLIENT_ID: this.clients.twitch.clientId,
      TWITCH_CLIENT_SECRET: this.clients.twitch.clientSecret,
      TWURPLE_MOCK_API_PORT: String(this.twitch.port),
      TWITCH_AUTH_URL: this.twitch.authUrl,
      TWITCH_INGEST_URL: this.twitch.ingestUrl,
      FACEBOOK_APP_ID: this.clients.facebook.clientId,
      FACEBOOK_APP_SECRET: this.clients.facebook.clientSecret,
      FACEBOOK_GRAPH_URL: this.facebook.graphUrl,
      FACEBOOK_AUTH_URL: this.facebook.authUrl,
      KICK_CLIENT_ID: this.clients.kick.clientId,
      KICK_CLIENT_SECRET: this.clients.kick.clientSecret,
      KICK_API_URL: this.kick.apiUrl,
      KICK_AUTH_URL: this.kick.authUrl,
      KICK_TOKEN_URL: this.kick.tokenUrl,
    };
  }

  /** Every code, token, client secret and stream key the fakes know: none may appear in a log. */
  secrets(): string[] {
    return [
      ...Object.values(this.clients).map((client) => client.clientSecret),
      ...this.youtube.issuedSecrets(),
      ...this.twitch.issuedSecrets(),
      ...this.facebook.issuedSecrets(),
      ...this.kick.issuedSecrets(),
    ];
  }

  async stop(): Promise<void> {
    await Promise.all([this.youtube.stop(), this.twitch.stop(), this.facebook.stop(), this.kick.stop()]);
  }
}

/** Where the OAuth flow ends: the Destinations page's query, as the gateway's callback redirected. */
export interface ConnectOutcome {
  connect: string;
  message: string;
  accountId: string | null;
  environment: string | null;
}

/**
 * Connects an account as a browser does, over plain HTTP: "Connect" (POST /api/platform-accounts as
 * an admin), the platform's authorize page (the fake consents at once), its redirect to the gateway's
 * public callback, and the callback's redirect to the Destinations page, whose query is the outcome.
 */
export async function connectOverHttp(gatewayUrl: string, adminToken: string, platform: ApiPlatform, environment: Environment): Promise<ConnectOutcome> {
  const started = await fetch(`${gatewayUrl}/api/platform-accounts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ platform, environment }),
  });
  if (started.status !== 201) throw new Error(`Connect ${platform} (${environment}): ${started.status} ${await started.text()}`);
  const { authorizeUrl } = (await started.json()) as { authorizeUrl: string };
  const consent = await fetch(authorizeUrl, { redirect: 'manual' });
  const callback = consent.headers.get('location');
  if (!callback) throw new Error(`${platform}'s authorize page did not redirect (${consent.status})`);
  const landing = await fetch(callback, { redirect: 'manual' });
  const destinations = landing.headers.get('location');
  if (landing.status !== 303 || !destinations) throw new Error(`the gateway's callback answered ${landing.status}, not a redirect to the dashboard`);
  const query = new URL(destinations, gatewayUrl).searchParams;
  return { connect: query.get('connect') ?? '', message: query.get('message') ?? '', accountId: query.get('accountId'), environment: query.get('environment') };
}
