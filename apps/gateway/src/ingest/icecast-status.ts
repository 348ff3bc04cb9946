import { Injectable, Logger } from '@nestjs/common';
import { cleanTrackText } from '@streamcaster/contracts';
import { GatewayConfig } from '../config/gateway.config.js';

/** One mount on air, as Icecast's `/status-json.xsl` tells it. */
export interface IcecastMountOnAir {
  /** `/live/<slug>`. */
  mount: string;
  /** What the source plays now, when it said: Vorbis comments (ARTIST, TITLE) or `/admin/metadata`. */
  track: { artist: string | null; title: string } | null;
}

/** The longest text kept of a source's title: a source cannot be told "too long", so it is cut. */
const MAX_TITLE = 300;
const MAX_ARTIST = 200;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The track a mount's status announces. Vorbis sources give ARTIST and TITLE apart; MP3 and AAC
 * sources send one `song` string, `Artist - Title` by convention, which is split at its first ` - `.
 * Control characters are removed and overlong text is cut: whatever a source sends, the picture and
 * the tracklist get one clean line.
 */
export function trackOfMount(fields: { artist?: unknown; title?: unknown }): IcecastMountOnAir['track'] {
  const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? cleanTrackText(String(value)) : '');
  let artist = text(fields.artist);
  let title = text(fields.title);
  if (!artist) {
    const dash = title.indexOf(' - ');
    if (dash > 0 && dash < title.length - 3) {
      artist = title.slice(0, dash).trim();
      title = title.slice(dash + 3).trim();
    }
  }
  if (!title) return null;
  return { artist: artist ? clip(artist, MAX_ARTIST) : null, title: clip(title, MAX_TITLE) };
}

/**
 * The mounts of Icecast 2.4.4's `/status-json.xsl`: `source` is an object when one mount is on air, an
 * array when several, absent when none. Mounts outside `/live/` and `/test/` are left out.
 */
export function parseIcecastStatus(json: unknown): IcecastMountOnAir[] {
  const source = (json as { icestats?: { source?: unknown } } | null)?.icestats?.source;
  const entries = Array.isArray(source) ? source : source ? [source] : [];
  const mounts: IcecastMountOnAir[] = [];
  for (const entry of entries as Array<Record<string, unknown>>) {
    if (typeof entry?.listenurl !== 'string') continue;
    let mount: string;
    try {
      mount = new URL(entry.listenurl).pathname;
    } catch {
      continue;
    }
    if (!/^\/(live|test)\//.test(mount)) continue;
    mounts.push({ mount, track: trackOfMount(entry) });
  }
  return mounts;
}

/** Asks Icecast which mounts have a source now, and what they play. */
@Injectable()
export class IcecastStatus {
  private readonly logger = new Logger(IcecastStatus.name);
  private lastFailure = '';

  constructor(private readonly config: GatewayConfig) {}

  /** The mounts on air, by path; null when Icecast could not be asked. */
  async mountsOnAir(): Promise<Map<string, IcecastMountOnAir> | null> {
    const url = new URL('/status-json.xsl', this.config.icecastInternalUrl);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const mounts = parseIcecastStatus(await response.json());
      this.lastFailure = '';
      return new Map(mounts.map((mount) => [mount.mount, mount]));
    } catch (error) {
      // Once per kind of failure: the titles are asked for several times a second.
      const message = (error as Error).message;
      if (message !== this.lastFailure) this.logger.warn(`cannot read ${url.href}: ${message}`);
      this.lastFailure = message;
      return null;
    }
  }

  /** true or false as Icecast says; null when it could not be asked. */
  async isOnAir(mount: string): Promise<boolean | null> {
    const mounts = await this.mountsOnAir();
    return mounts === null ? null : mounts.has(mount);
  }
}
