import { Injectable, Logger } from '@nestjs/common';
import { parseRtmpStat, streamKey } from '@streamcaster/service-kit';
import { GatewayConfig } from '../config/gateway.config.js';

/** The part of nginx-rtmp's /stat XML that says whether a stream has a publisher right now. */
export function streamIsPublishing(statXml: string, app: string, streamName: string): boolean {
  return publishingStreams(statXml).has(streamKey(app, streamName));
}

/** Every `app/stream` that has a publisher in nginx-rtmp's /stat XML. */
export function publishingStreams(statXml: string): Set<string> {
  return new Set(parseRtmpStat(statXml).filter((stream) => stream.publishing).map((stream) => streamKey(stream.app, stream.name)));
}

/**
 * Asks nginx-rtmp itself whether a DJ is publishing. Used when the database says a DJ already
 * publishes: if nginx crashed, it never sent on_publish_done and the session is only a leftover.
 */
@Injectable()
export class IngestServerStatus {
  private readonly logger = new Logger(IngestServerStatus.name);

  constructor(private readonly config: GatewayConfig) {}

  /** true or false as nginx-rtmp says; null when it could not be asked. */
  async isPublishing(app: string, streamName: string): Promise<boolean | null> {
    const xml = await this.read();
    return xml === null ? null : streamIsPublishing(xml, app, streamName);
  }

  /** Every `app/stream` with a publisher now; null when nginx-rtmp could not be asked. */
  async publishingStreams(): Promise<Set<string> | null> {
    const xml = await this.read();
    return xml === null ? null : publishingStreams(xml);
  }

  private async read(): Promise<string | null> {
    try {
      const response = await fetch(this.config.rtmpStatUrl, { signal: AbortSignal.timeout(2_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return await response.text();
    } catch (error) {
      this.logger.warn(`cannot read ${this.config.rtmpStatUrl}: ${(error as Error).message}`);
      return null;
    }
  }
}
