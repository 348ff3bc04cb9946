/**
 * nginx-rtmp's statistics page (`rtmp_stat all`, the `/stat` location), read by the gateway (is a DJ
 * still publishing?), the stats service (the DJs' input figures) and the tests' platform fakes (do
 * bytes arrive?): one reading of it for all of them.
 */
/** One stream of nginx-rtmp's `/stat` XML, as the rtmp module reports it. */
export interface RtmpStreamStat {
  app: string;
  name: string;
  publishing: boolean;
  /** How long the stream has existed, in milliseconds. */
  timeMs: number;
  bytesIn: number;
  /** nginx-rtmp's own input bandwidth, bits per second, recomputed every 10 s (0 before that). */
  bwInBitsPerSecond: number;
  video: { codec: string; width: number; height: number; fps: number } | null;
  audio: { codec: string; channels: number; sampleRate: number } | null;
}

/** `app/stream`: how a stream is found again from one reading to the next. */
export const streamKey = (app: string, name: string) => `${app}/${name}`;

/**
 * Every stream in nginx-rtmp's `/stat` XML. The page is small and regular (the module writes it with
 * fixed tags and no attributes), so it is cut at its elements instead of going through an XML parser;
 * a tag the module did not write (no metadata yet) leaves that part null.
 */
export function parseRtmpStat(xml: string): RtmpStreamStat[] {
  const streams: RtmpStreamStat[] = [];
  for (const application of xml.split('<application>').slice(1)) {
    const app = text(application, 'name');
    if (app === null) continue;
    for (const chunk of application.split('<stream>').slice(1)) {
      const body = chunk.slice(0, chunk.indexOf('</stream>'));
      const name = text(body, 'name');
      if (name === null) continue;
      // Clients have their own <time>, <publishing/>...: the stream's own fields are the rest.
      const own = body.replace(/<client>[\s\S]*?<\/client>/g, '');
      const meta = element(own, 'meta');
      const video = meta === null ? null : element(meta, 'video');
      const audio = meta === null ? null : element(meta, 'audio');
      streams.push({
        app: decodeEntities(app),
        name: decodeEntities(name),
        // nginx-rtmp marks both the stream and its publishing client; either one says it has a publisher.
        publishing: body.includes('<publishing/>'),
        timeMs: number(own, 'time') ?? 0,
        bytesIn: number(own, 'bytes_in') ?? 0,
        bwInBitsPerSecond: number(own, 'bw_in') ?? 0,
        video:
          video === null
            ? null
            : {
                codec: (text(video, 'codec') ?? '').toLowerCase(),
                width: number(video, 'width') ?? 0,
                height: number(video, 'height') ?? 0,
                fps: number(video, 'frame_rate') ?? 0,
              },
        audio:
          audio === null
            ? null
            : { codec: (text(audio, 'codec') ?? '').toLowerCase(), channels: number(audio, 'channels') ?? 0, sampleRate: number(audio, 'sample_rate') ?? 0 },
      });
    }
  }
  return streams;
}

function element(source: string, tag: string): string | null {
  const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(source);
  return match ? match[1]! : null;
}

function text(source: string, tag: string): string | null {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(source);
  return match ? match[1]! : null;
}

function number(source: string, tag: string): number | null {
  const value = text(source, tag);
  if (value === null) return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

function decodeEntities(value: string): string {
  return value.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}
