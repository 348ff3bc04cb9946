import { ICECAST_READER_USER, type IngestStream } from '@streamcaster/contracts';
import type { InputKind } from '../encoders/transcode-args.js';

export interface DjInputServers {
  /** nginx-rtmp from inside: rtmp://host:port. */
  rtmpInternalUrl: string;
  /** Icecast from inside: http://host:port. */
  icecastInternalUrl: string;
  /** The reader's password (ICECAST_READER_PASSWORD); without it Icecast lets nobody listen. */
  icecastReaderPassword: string | null;
}

export interface DjInput {
  url: string;
  /** HTTP request headers for ffmpeg's `-headers` (the reader's credentials: never in the URL, which ffmpeg logs). */
  headers: string | null;
  /** What the input is known to carry before it is opened: Icecast is sound only. */
  kind: InputKind;
  /** For logs: where the DJ is read from, without credentials. */
  label: string;
}

/** Where and how the transcoder reads a DJ: nginx-rtmp's stream, or the DJ's Icecast mount. */
export function djInput(stream: IngestStream, servers: DjInputServers): DjInput {
  if (stream.protocol === 'icecast') {
    const url = `${servers.icecastInternalUrl.replace(/\/+$/, '')}/${stream.app}/${stream.streamName}`;
    const credentials = Buffer.from(`${ICECAST_READER_USER}:${servers.icecastReaderPassword ?? ''}`).toString('base64');
    return { url, headers: `Authorization: Basic ${credentials}\r\n`, kind: 'audio-only', label: `icecast ${url}` };
  }
  const url = `${servers.rtmpInternalUrl}/${stream.app}/${stream.streamName}`;
  return { url, headers: null, kind: 'picture', label: url };
}
