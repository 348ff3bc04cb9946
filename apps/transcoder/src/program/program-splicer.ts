import { encodeTag, flvFileHeader, FLV_TAG_AUDIO, FLV_TAG_VIDEO, type FlvTag } from './flv.js';

/** What the program shows: nothing yet, the DJ's encoded picture, or the pre-encoded slate. */
export type ProgramSource = 'none' | 'dj' | 'slate';

/** Where spliced FLV goes (the program publisher's connection). */
export interface ProgramOutput {
  write(chunk: Buffer): void;
}

export interface SplicerOptions {
  /** One video frame, in milliseconds (1000 / fps). */
  frameMs: number;
  /** The DJ's encoder silent this long → the slate. */
  stallMs: number;
  /** No DJ picture this long after the slate is ready at the start → the slate. */
  firstPictureWaitMs: number;
  now: () => number;
  onSwitch: (source: Exclude<ProgramSource, 'none'>, reason: string) => void;
  /** The DJ's encoder went silent while on air: it should be restarted to pick the DJ up again. */
  onLiveStalled: () => void;
}

/** The encoded slate loop: its two sequence headers and its tags from a keyframe on. */
export interface SlateLoop {
  videoHeader: FlvTag;
  audioHeader: FlvTag | null;
  /** Media tags, timestamps from 0, the first a keyframe. */
  tags: FlvTag[];
  durationMs: number;
}

/** One connection of the DJ's encoder. A newer connection supersedes an older one. */
export interface LiveFeed {
  tag(tag: FlvTag): void;
  end(reason: string): void;
}

interface OutputState {
  output: ProgramOutput;
  /** Waiting for a keyframe to start on (a new output, or one that fell behind). */
  synced: boolean;
  headerSent: boolean;
}

interface FeedState {
  id: number;
  videoHeader: FlvTag | null;
  audioHeader: FlvTag | null;
  lastTagAt: number;
  ended: boolean;
}

/**
 * The program's continuity, in the compressed domain: FLV tags from the DJ's encoder or from the
 * slate loop (encoded once, with the same encoder settings, so their sequence headers match byte for
 * byte) are spliced into one stream whose timestamps only grow. A switch happens on a keyframe of the
 * source switched to; its sequence headers are sent again first, so a decoder that did not expect a
 * change still gets the right parameters. Every decision is made here, without I/O, so that it can
 * be tested with a clock of the test's own; ProgramSwitcher connects it to sockets and processes.
 */
export class ProgramSplicer {
  private source: ProgramSource = 'none';
  private readonly outputs = new Set<OutputState>();
  private feedCount = 0;
  private feed: FeedState | null = null;
  /** The feed whose tags are on air, while the source is the DJ. */
  private onAirFeed: FeedState | null = null;
  private slate: SlateLoop | null = null;
  private slateReadyAt = 0;
  /** Whether anything was ever on air: the first picture is waited for, a gap after it is not. */
  private everOnAir = false;
  private closed = false;

  /** Output clock: the last timestamps sent, and the latest presentation time of video sent. */
  private lastVideoDts = -Infinity;
  private maxVideoPts = -Infinity;
  private lastAudioTs = -Infinity;
  /** Added to the timestamps of the source on air. */
  private offset = 0;
  /** The sequence headers of the source on air, for outputs that join. */
  private videoHeader: FlvTag | null = null;
  private audioHeader: FlvTag | null = null;

  /** Where the slate loop is: index of the next tag, and the wall time and output time of its start. */
  private slateIndex = 0;
  private slateStartedAt = 0;
  private slateBase = 0;

  constructor(private readonly options: SplicerOptions) {}

  get onAir(): ProgramSource {
    return this.source;
  }

  /** Whether the slate's sequence headers equal the DJ encoder's (null until both are known). */
  headersMatch(): { video: boolean; audio: boolean } | null {
    const feed = this.feed;
    if (!this.slate || !feed?.videoHeader) return null;
    return {
      video: feed.videoHeader.data.equals(this.slate.videoHeader.data),
      audio: !feed.audioHeader || !this.slate.audioHeader ? feed.audioHeader === this.slate.audioHeader : feed.audioHeader.data.equals(this.slate.audioHeader.data),
    };
  }

  setSlate(slate: SlateLoop): void {
    if (slate.tags[0]?.kind !== 'keyframe') throw new Error('the slate loop must start with a keyframe');
    if (this.closed) return;
    const wasOnAir = this.source === 'slate';
    this.slate = slate;
    this.slateReadyAt = this.options.now();
    // A new slate (another track title) takes over at its own start, which is a keyframe.
    if (wasOnAir) this.startSlate();
    // The DJ went away before the slate was ready: the program has been waiting; no more.
    else if (this.source === 'none' && this.everOnAir) this.toSlate("the DJ is away and the slate is ready");
  }

  addOutput(output: ProgramOutput): () => void {
    const state: OutputState = { output, synced: false, headerSent: false };
    this.outputs.add(state);
    return () => this.outputs.delete(state);
  }

  connectLive(): LiveFeed {
    this.feedCount += 1;
    const state: FeedState = { id: this.feedCount, videoHeader: null, audioHeader: null, lastTagAt: this.options.now(), ended: false };
    this.feed = state;
    return {
      tag: (tag) => this.liveTag(state, tag),
      end: (reason) => this.liveEnded(state, reason),
    };
  }

  /** The broadcast is ending: nothing is switched or sent any more. */
  close(): void {
    this.closed = true;
  }

  /** Called every few milliseconds: paces the slate and notices a silent DJ encoder. */
  tick(): void {
    if (this.closed) return;
    const now = this.options.now();
    const feed = this.onAirFeed;
    if (this.source === 'dj' && feed && now - feed.lastTagAt > this.options.stallMs) {
      this.toSlate(`the DJ's picture stopped for ${now - feed.lastTagAt} ms`);
      this.options.onLiveStalled();
    }
    if (this.source === 'none' && this.slate && now - this.slateReadyAt >= this.options.firstPictureWaitMs) {
      this.toSlate("the DJ's picture has not arrived yet");
    }
    if (this.source === 'slate') this.paceSlate(now);
  }

  private liveTag(feed: FeedState, tag: FlvTag): void {
    if (feed !== this.feed || feed.ended || this.closed) return;
    feed.lastTagAt = this.options.now();
    if (tag.kind === 'video-header') feed.videoHeader = tag;
    else if (tag.kind === 'audio-header') feed.audioHeader = tag;
    if (this.source !== 'dj' || this.onAirFeed !== feed) {
      // Not on air yet: wait for this connection's first keyframe, then cut to it.
      if (tag.kind !== 'keyframe' || !feed.videoHeader) return;
      const before = this.source;
      this.cutTo('dj', tag.compositionTime, tag.timestamp, feed.videoHeader, feed.audioHeader);
      this.onAirFeed = feed;
      if (before !== 'dj') this.options.onSwitch('dj', before === 'slate' ? "the DJ's picture is back" : "the DJ's picture is on air");
    }
    if (tag.kind === 'video-header') this.videoHeader = tag;
    if (tag.kind === 'audio-header') this.audioHeader = tag;
    this.send(tag, tag.timestamp + this.offset);
  }

  private liveEnded(feed: FeedState, reason: string): void {
    feed.ended = true;
    if (feed !== this.feed || this.closed) return;
    this.feed = null;
    if (this.source === 'dj' && this.onAirFeed === feed) this.toSlate(`the DJ's encoder ended: ${reason}`);
  }

  private toSlate(reason: string): void {
    this.onAirFeed = null;
    if (!this.slate) {
      // Nothing to show yet (the slate is still being encoded): the program waits for either.
      this.source = 'none';
      return;
    }
    this.startSlate();
    this.options.onSwitch('slate', reason);
  }

  private startSlate(): void {
    const slate = this.slate!;
    const first = slate.tags[0]!;
    this.cutTo('slate', first.compositionTime, first.timestamp, slate.videoHeader, slate.audioHeader);
    this.slateIndex = 0;
    this.slateStartedAt = this.options.now();
    this.slateBase = this.offset;
    this.paceSlate(this.slateStartedAt);
  }

  /** Sends the slate's tags that are due by the wall clock, looping at its end. */
  private paceSlate(now: number): void {
    const slate = this.slate!;
    for (;;) {
      if (this.slateIndex >= slate.tags.length) {
        this.slateIndex = 0;
        this.slateStartedAt += slate.durationMs;
        this.slateBase += slate.durationMs;
      }
      const tag = slate.tags[this.slateIndex]!;
      if (this.slateStartedAt + tag.timestamp > now) return;
      this.slateIndex += 1;
      this.send(tag, tag.timestamp + this.slateBase);
    }
  }

  /**
   * Starts a segment of `source` at one of its keyframes: its timestamps are moved so that the
   * keyframe comes one frame after everything already sent, and so that its presentation time (with
   * B-frames, later than its decoding time) is later than every picture already shown.
   */
  private cutTo(source: Exclude<ProgramSource, 'none'>, compositionTime: number, timestamp: number, videoHeader: FlvTag, audioHeader: FlvTag | null): void {
    const frame = this.options.frameMs;
    const start = Math.max(0, this.lastVideoDts + frame, this.maxVideoPts + frame - compositionTime, this.lastAudioTs);
    this.offset = Math.ceil(start) - timestamp;
    this.everOnAir = true;
    this.source = source;
    this.videoHeader = videoHeader;
    this.audioHeader = audioHeader;
    // The safety net: a decoder always hears the parameters of what follows, right before it.
    this.sendHeaders(Math.ceil(start));
  }

  private sendHeaders(timestamp: number): void {
    for (const state of this.outputs) if (state.synced) this.writeHeaders(state, timestamp);
  }

  private writeHeaders(state: OutputState, timestamp: number): void {
    if (this.videoHeader) state.output.write(encodeTag(FLV_TAG_VIDEO, timestamp, this.videoHeader.data));
    if (this.audioHeader) state.output.write(encodeTag(FLV_TAG_AUDIO, timestamp, this.audioHeader.data));
  }

  private send(tag: FlvTag, timestamp: number): void {
    let ts = Math.round(timestamp);
    if (tag.kind === 'audio') {
      // Audio from before the cut would go back in time: dropped (a few ms at most).
      if (ts < this.lastAudioTs) return;
      this.lastAudioTs = ts;
    } else if (tag.kind === 'keyframe' || tag.kind === 'video') {
      if (ts <= this.lastVideoDts) ts = this.lastVideoDts + 1;
      this.lastVideoDts = ts;
      this.maxVideoPts = Math.max(this.maxVideoPts, ts + tag.compositionTime);
    } else {
      // Headers travel with the cut (sendHeaders); script data is the source's own business.
      if (tag.kind === 'video-header' || tag.kind === 'audio-header') for (const state of this.outputs) if (state.synced) state.output.write(encodeTag(tag.type, Math.max(ts, 0), tag.data));
      return;
    }
    const encoded = encodeTag(tag.type, ts, tag.data);
    for (const state of this.outputs) {
      if (!state.synced) {
        if (tag.kind !== 'keyframe') continue;
        if (!state.headerSent) state.output.write(flvFileHeader());
        state.headerSent = true;
        state.synced = true;
        this.writeHeaders(state, ts);
      }
      state.output.write(encoded);
    }
  }

  /** For a test's or a metric's eyes: the last timestamps sent. */
  clock(): { lastVideoDts: number; maxVideoPts: number; lastAudioTs: number } {
    return { lastVideoDts: this.lastVideoDts, maxVideoPts: this.maxVideoPts, lastAudioTs: this.lastAudioTs };
  }
}
