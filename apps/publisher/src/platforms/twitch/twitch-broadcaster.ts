import { textRefusal } from '@streamcaster/contracts';
import type { PublisherConfig } from '../../config/publisher.config.js';
import type { PlatformBroadcaster, PlatformCallContext, PlatformObservation, PlatformRefs, PreparedIngest, SaveRefs } from '../platform-adapter.js';
import { PlatformError } from '../platform-error.js';
import type { TwitchCall, TwitchHelix } from './twitch-helix.js';

export const TWITCH_BANDWIDTH_TEST_NOTE = 'Twitch does not report bandwidth tests; confirmed by the relay only';

/**
 * A broadcast on Twitch is the channel itself: nothing is created there. The title (and category)
 * are set on the channel, the relay pushes to the ingest with the channel's stream key, and Twitch
 * lists the channel as live while it receives. In Test the key carries `?bandwidthtest=true`: Twitch
 * takes the stream without putting it on air, and reports nothing about it.
 *
 * Refs: `login` (saved once read, for the watch URL).
 */
export class TwitchBroadcaster implements PlatformBroadcaster {
  constructor(
    private readonly config: PublisherConfig,
    private readonly helix: TwitchHelix,
  ) {}

  async prepare(context: PlatformCallContext, refs: PlatformRefs, saveRefs: SaveRefs): Promise<PreparedIngest> {
    refuseTitle(context.title);
    const call = callOf(context);
    let login = refs['login'];
    if (!login) {
      const user = await this.helix.authenticatedUser(call);
      if (user.id !== context.externalId) {
        throw new PlatformError('twitch', 'refused', `Twitch (reading the account): the token belongs to ${user.login}, not to the connected channel; reconnect the account`);
      }
      login = user.login;
      await saveRefs({ ...refs, login });
    }
    // The channel's title is public even while offline: a rehearsal leaves it as it is.
    if (context.environment === 'live') {
      await this.helix.updateChannel(call, context.externalId, { title: context.title, ...(this.config.twitchCategoryId ? { gameId: this.config.twitchCategoryId } : {}) });
    }
    const key = await this.helix.streamKey(call, context.externalId);
    const bandwidthTest = context.environment === 'test' ? '?bandwidthtest=true' : '';
    return { pushUrl: `${this.config.twitchIngestUrl}/${key}${bandwidthTest}`, secret: key, watchUrl: `https://www.twitch.tv/${login}` };
  }

  async observe(context: PlatformCallContext, _refs: PlatformRefs, relayLive: boolean): Promise<PlatformObservation> {
    // Twitch never lists a bandwidth test: asking would only spend the rate limit.
    if (context.environment === 'test') return { receiving: relayLive, onAir: relayLive ? 'testing' : null, viewers: null, note: TWITCH_BANDWIDTH_TEST_NOTE };
    const stream = await this.helix.liveStream(callOf(context), context.externalId);
    if (stream === null) return { receiving: false, onAir: null, viewers: null };
    return { receiving: true, onAir: 'live', viewers: stream.viewers };
  }

  /** Receiving is being on air on Twitch. */
  async goOnAir(_context: PlatformCallContext, _refs: PlatformRefs, _saveRefs: SaveRefs): Promise<void> {}

  /** Twitch has no description: only a title is sent. */
  async updateText(context: PlatformCallContext, _refs: PlatformRefs, text: { title?: string; description?: string }): Promise<void> {
    if (text.title === undefined) return;
    refuseTitle(text.title);
    if (context.environment === 'test') {
      throw new PlatformError('twitch', 'refused', "Twitch: a rehearsal does not change the channel's title, which the followers see even offline");
    }
    await this.helix.updateChannel(callOf(context), context.externalId, { title: text.title });
  }

  /** Nothing to end at Twitch: the stream ends when the relay stops pushing. */
  async end(_context: PlatformCallContext, _refs: PlatformRefs): Promise<void> {}
}

function callOf(context: PlatformCallContext): TwitchCall {
  return { accessToken: context.accessToken, signal: context.signal };
}

/** Refused before any call, with the reason: Twitch would answer 400 "Title is too long.". */
function refuseTitle(title: string): void {
  const refusal = textRefusal('twitch', { title });
  if (refusal !== null) throw new PlatformError('twitch', 'refused', `Twitch (setting the channel's title): ${refusal}`);
}
