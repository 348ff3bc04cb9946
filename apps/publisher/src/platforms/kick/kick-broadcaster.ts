import { PLATFORM_RULES, textRefusal } from '@streamcaster/contracts';
import type { PublisherConfig } from '../../config/publisher.config.js';
import type { PlatformBroadcaster, PlatformCallContext, PlatformObservation, PreparedIngest } from '../platform-adapter.js';
import { PlatformError } from '../platform-error.js';
import type { KickAnswer, KickApi } from './kick-api.js';

interface Channel {
  broadcaster_user_id?: number;
  slug?: string;
  stream_title?: string;
  stream?: { url?: string; key?: string; is_live?: boolean; viewer_count?: number };
}

interface Livestream {
  broadcaster_user_id?: number;
  viewer_count?: number;
}

/**
 * Kick has no broadcast object: the channel carries the stream title and category, its stream URL
 * and key are handed out through the API, and it is live while the stream arrives. Nothing is
 * created, so nothing has to be ended, and a crash leaves nothing to resume. Kick has no private
 * mode: anything in Test is refused here too, whatever the caller checked before.
 */
export class KickBroadcaster implements PlatformBroadcaster {
  constructor(
    private readonly config: Pick<PublisherConfig, 'kickCategoryId'>,
    private readonly api: KickApi,
  ) {}

  async prepare(context: PlatformCallContext): Promise<PreparedIngest> {
    refuseTest(context);
    const refusal = textRefusal('kick', { title: context.title });
    if (refusal) throw new PlatformError('kick', 'refused', refusal);
    await this.api.call('setting the stream title', {
      method: 'PATCH',
      path: 'channels',
      token: context.accessToken,
      json: { stream_title: context.title, ...this.category() },
      signal: context.signal,
    });
    const answer = await this.api.call<KickAnswer<Channel[]>>('reading the stream key', { path: 'channels', token: context.accessToken, signal: context.signal });
    const channel = answer?.data?.[0];
    const url = channel?.stream?.url;
    const key = channel?.stream?.key;
    if (!url || !key) {
      throw new PlatformError('kick', 'refused', 'Kick handed out no stream URL and key: the account did not grant streamkey:read; reconnect it');
    }
    // Kick's URL is the server (`rtmps://…/app/`, as OBS takes it) and the key its stream name.
    return { pushUrl: `${url.replace(/\/+$/, '')}/${key}`, secret: key, watchUrl: channel.slug ? `https://kick.com/${channel.slug}` : null };
  }

  /** Live while Kick lists the channel in `/livestreams` (it lags the stream by seconds; viewers by about a minute). */
  async observe(context: PlatformCallContext): Promise<PlatformObservation> {
    refuseTest(context);
    const answer = await this.api.call<KickAnswer<Livestream[]>>('asking whether the channel is live', {
      path: 'livestreams',
      token: context.accessToken,
      query: { broadcaster_user_id: context.externalId },
      signal: context.signal,
    });
    const live = (answer?.data ?? []).find((stream) => String(stream.broadcaster_user_id) === context.externalId);
    if (!live) return { receiving: false, onAir: null, viewers: null };
    return { receiving: true, onAir: 'live', viewers: live.viewer_count ?? null };
  }

  /** Kick is on air as soon as it receives. */
  async goOnAir(): Promise<void> {}

  /** Kick has no description: only a title goes there. */
  async updateText(context: PlatformCallContext, _refs: unknown, text: { title?: string; description?: string }): Promise<void> {
    refuseTest(context);
    if (text.title === undefined) return;
    const refusal = textRefusal('kick', { title: text.title });
    if (refusal) throw new PlatformError('kick', 'refused', refusal);
    await this.api.call('changing the stream title', { method: 'PATCH', path: 'channels', token: context.accessToken, json: { stream_title: text.title }, signal: context.signal });
  }

  /** The stream ends when the relay stops pushing; Kick has nothing to end. */
  async end(): Promise<void> {}

  private category(): { category_id?: number } {
    const raw = this.config.kickCategoryId;
    if (!raw) return {};
    const id = Number(raw);
    if (!Number.isInteger(id) || id <= 0) throw new PlatformError('kick', 'refused', `KICK_CATEGORY_ID must be a Kick category number, not "${raw}"`);
    return { category_id: id };
  }
}

function refuseTest(context: PlatformCallContext): void {
  const reason = PLATFORM_RULES.kick.noTestReason;
  if (context.environment === 'test' && reason) throw new PlatformError('kick', 'refused', reason);
}
