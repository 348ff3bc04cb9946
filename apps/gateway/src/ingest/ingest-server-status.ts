import { Injectable, Logger } from '@nestjs/common';
import { GatewayConfig } from '../config/gateway.config.js';

/** The part of nginx-rtmp's /stat XML that says whether a stream has a publisher right now. */
export function streamIsPublishing(statXml: string, app: string, streamName: string): boolean {
  for (const application of statXml.split('<application>').slice(1)) {
    if (!application.includes(`<name>${app}</name>`)) continue;
    for (const stream of application.split('<stream>').slice(1)) {
      const body = stream.slice(0, stream.indexOf('</stream>'));
      if (body.includes(`<name>${streamName}</name>`) && body.includes('<publishing/>')) return true;
    }
  }
  return false;
}

/** Every `app/stream` that has a publisher in nginx-rtmp's /stat XML. */
export function publishingStreams(statXml: string): Set<string> {
  const streams = new Set<string>();
  for (const application of statXml.split('<application>').slice(1)) {
    const app = /<name>([^<]*)<\/name>/.exec(application)?.[1];
    if (!app) continue;
    for (const stream of application.split('<stream>').slice(1)) {
      const body = stream.slice(0, stream.indexOf('</stream>'));
      const name = /<name>([^<]*)<\/name>/.exec(body)?.[1];
      if (name && body.includes('<publishing/>')) streams.add(`${app}/${name}`);
    }
  }
  return streams;
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
