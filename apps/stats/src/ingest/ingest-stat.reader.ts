import { Injectable, Logger } from '@nestjs/common';
import type { IngestStats } from '@streamcaster/contracts';
import { StatsConfig } from '../config/stats.config.js';
import { parseRtmpStat, streamKey } from '@streamcaster/service-kit';
import { ingestStats, type IngestSample } from './ingest-figures.js';

/** Reads nginx-rtmp's `/stat` on demand (once a second) and remembers each stream's last reading for its bitrate. */
@Injectable()
export class IngestStatReader {
  private readonly logger = new Logger(IngestStatReader.name);
  private previous = new Map<string, IngestSample>();
  private failing = false;

  constructor(private readonly config: StatsConfig) {}

  /** The ingest figures of every stream with a publisher, by `app/stream`; empty when nginx-rtmp did not answer. */
  async read(): Promise<Map<string, IngestStats>> {
    let xml: string;
    try {
      const response = await fetch(this.config.rtmpStatUrl, { signal: AbortSignal.timeout(800) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      xml = await response.text();
    } catch (error) {
      // Said once per outage, not once a second.
      if (!this.failing) this.logger.warn(`cannot read ${this.config.rtmpStatUrl}: ${(error as Error).message}; no ingest figures until it answers`);
      this.failing = true;
      return new Map();
    }
    if (this.failing) this.logger.log(`${this.config.rtmpStatUrl} answers again`);
    this.failing = false;
    const figures = new Map<string, IngestStats>();
    const samples = new Map<string, IngestSample>();
    for (const stream of parseRtmpStat(xml)) {
      if (!stream.publishing) continue;
      const key = streamKey(stream.app, stream.name);
      figures.set(key, ingestStats(stream, this.previous.get(key)));
      samples.set(key, { timeMs: stream.timeMs, bytesIn: stream.bytesIn });
    }
    this.previous = samples;
    return figures;
  }
}
