import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyTag, flvFileHeader, FLV_TAG_AUDIO, FLV_TAG_VIDEO, readFlvTags, type FlvTag } from './flv.js';
import { ProgramSplicer, type LiveFeed, type ProgramSource, type SlateLoop } from './program-splicer.js';

const FPS = 30;
const FRAME_MS = 1000 / FPS;
/** One AAC frame at 48 kHz. */
const AUDIO_FRAME_MS = 1024 / 48;
const GOP_FRAMES = 30;
const STALL_MS = 1_500;
const FIRST_PICTURE_WAIT_MS = 5_000;
/** How often ProgramSwitcher ticks the splicer. */
const TICK_MS = 10;

/** Every media tag carries the mark of the encoder that made it and its timestamp there, to be told apart in the output. */
const DJ_1 = 0xd1;
const DJ_2 = 0xd2;
const DJ_3 = 0xd3;
const SLATE = 0x5a;

/** Sequence headers: the slate's and the DJ's differ here, so that the output shows whose were sent. */
const SLATE_AVC_CONFIG = [0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x5a];
const SLATE_AAC_CONFIG = [0x11, 0x90, 0x5a];
const DJ_AVC_CONFIG = [0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0xd0];
const DJ_AAC_CONFIG = [0x11, 0x90, 0xd0];

function tagOf(type: number, timestamp: number, data: Buffer): FlvTag {
  return { type, timestamp, data, ...classifyTag(type, data) };
}

/** An H.264 video tag's body: frame type and codec 7, AVC packet type, signed 24-bit composition time, payload. */
function avcBody(frameType: number, packetType: number, compositionTime: number, payload: number[]): Buffer {
  const body = Buffer.alloc(5 + payload.length);
  body[0] = (frameType << 4) | 7;
  body[1] = packetType;
  body.writeIntBE(compositionTime, 2, 3);
  body.set(payload, 5);
  return body;
}

/** An AAC audio tag's body. */
function aacBody(packetType: number, payload: number[]): Buffer {
  return Buffer.from([0xaf, packetType, ...payload]);
}

/** A media tag's payload: the mark of its encoder and its timestamp there, read back by origin(). */
function markOf(mark: number, timestamp: number): number[] {
  const bytes = Buffer.alloc(5);
  bytes[0] = mark;
  bytes.writeUInt32BE(timestamp, 1);
  return [...bytes];
}

function videoHeader(config: number[], timestamp = 0): FlvTag {
  return tagOf(FLV_TAG_VIDEO, timestamp, avcBody(1, 0, 0, config));
}

function audioHeader(config: number[]): FlvTag {
  return tagOf(FLV_TAG_AUDIO, 0, aacBody(0, config));
}

/**
 * Frame `index` of an encoder, in decoding order, a keyframe every GOP_FRAMES. With B-frames, the
 * keyframe is shown 66 ms after it is decoded, then come P-frames (composition time 100 ms) and
 * B-frames (33 ms) in turn; without, every frame is shown when it is decoded.
 */
function frame(mark: number, index: number, bFrames: boolean): FlvTag {
  const timestamp = Math.round(index * FRAME_MS);
  const inGop = index % GOP_FRAMES;
  const frameType = inGop === 0 ? 1 : 2;
  const compositionTime = !bFrames ? 0 : inGop === 0 ? 66 : inGop % 2 === 1 ? 100 : 33;
  return tagOf(FLV_TAG_VIDEO, timestamp, avcBody(frameType, 1, compositionTime, markOf(mark, timestamp)));
}

/** An encoder's AAC frames with timestamps from `fromMs` up to `toMs` (excluded). */
function audio(mark: number, fromMs: number, toMs: number): FlvTag[] {
  const tags: FlvTag[] = [];
  for (let index = Math.ceil(fromMs / AUDIO_FRAME_MS); Math.round(index * AUDIO_FRAME_MS) < toMs; index += 1) {
    const timestamp = Math.round(index * AUDIO_FRAME_MS);
    tags.push(tagOf(FLV_TAG_AUDIO, timestamp, aacBody(1, markOf(mark, timestamp))));
  }
  return tags;
}

/** What an encoder sends between its frames `from` and `to` (excluded): the frames and its audio, by timestamp. */
function media(mark: number, from: number, to: number, { bFrames = true } = {}): FlvTag[] {
  const frames: FlvTag[] = [];
  for (let index = from; index < to; index += 1) frames.push(frame(mark, index, bFrames));
  const sound = audio(mark, Math.round(from * FRAME_MS), Math.round(to * FRAME_MS));
  // A frame before the audio of the same timestamp, as encoders interleave them.
  return [...frames, ...sound].sort((a, b) => a.timestamp - b.timestamp || b.type - a.type);
}

function slateLoop(frames = GOP_FRAMES): SlateLoop {
  return {
    videoHeader: videoHeader(SLATE_AVC_CONFIG),
    audioHeader: audioHeader(SLATE_AAC_CONFIG),
    tags: media(SLATE, 0, frames),
    // As slate.ts reckons it: whole frames at the profile's frame rate.
    durationMs: (frames * 1000) / FPS,
  };
}

const isFrame = (tag: FlvTag) => tag.kind === 'keyframe' || tag.kind === 'video';
const isMedia = (tag: FlvTag) => isFrame(tag) || tag.kind === 'audio';

/** Which encoder made a media tag of the output, and its timestamp there. */
function origin(tag: FlvTag): { mark: number; timestamp: number } {
  const at = tag.type === FLV_TAG_VIDEO ? 5 : 2;
  return { mark: tag.data[at]!, timestamp: tag.data.readUInt32BE(at + 1) };
}

/** The marks of the encoders whose frames the output shows, in turn (one entry per stretch on air). */
function stretches(tags: FlvTag[]): number[] {
  const marks: number[] = [];
  for (const tag of tags.filter(isFrame)) if (marks.at(-1) !== origin(tag).mark) marks.push(origin(tag).mark);
  return marks;
}

/** A splicer on a clock of the test's own, with one output whose bytes are kept. */
class Program {
  now = 0;
  stalls = 0;
  readonly switches: Array<{ source: Exclude<ProgramSource, 'none'>; reason: string }> = [];
  readonly chunks: Buffer[] = [];
  readonly splicer = new ProgramSplicer({
    frameMs: FRAME_MS,
    stallMs: STALL_MS,
    firstPictureWaitMs: FIRST_PICTURE_WAIT_MS,
    now: () => this.now,
    onSwitch: (source, reason) => this.switches.push({ source, reason }),
    onLiveStalled: () => {
      this.stalls += 1;
    },
  });

  constructor() {
    this.splicer.addOutput({ write: (chunk) => this.chunks.push(chunk) });
  }

  get sources(): string[] {
    return this.switches.map((change) => change.source);
  }

  /** The clock moves on by `ms`, the splicer ticked every TICK_MS as ProgramSwitcher does. */
  advance(ms: number): void {
    const until = this.now + ms;
    while (this.now < until) {
      this.now = Math.min(until, this.now + TICK_MS);
      this.splicer.tick();
    }
  }

  /** A new connection of an encoder, which sends its sequence headers first. */
  connect(avcConfig = DJ_AVC_CONFIG, aacConfig = DJ_AAC_CONFIG): LiveFeed {
    const feed = this.splicer.connectLive();
    feed.tag(videoHeader(avcConfig));
    feed.tag(audioHeader(aacConfig));
    return feed;
  }

  /** Sends tags in real time: the first at once, each next one when the clock reaches its timestamp. */
  play(feed: LiveFeed, tags: FlvTag[]): void {
    const start = this.now - tags[0]!.timestamp;
    for (const tag of tags) {
      this.advance(start + tag.timestamp - this.now);
      feed.tag(tag);
    }
  }

  output(): FlvTag[] {
    return readFlvTags(Buffer.concat(this.chunks));
  }
}

describe('ProgramSplicer: the start of the output', () => {
  it('starts with an FLV header, then the AVC and AAC sequence headers, then a keyframe', () => {
    const program = new Program();
    program.play(program.connect(), media(DJ_1, 0, 10));

    assert.deepEqual(program.chunks[0], flvFileHeader());
    const tags = program.output();
    assert.deepEqual(tags.slice(0, 3).map((tag) => tag.kind), ['video-header', 'audio-header', 'keyframe']);
    assert.deepEqual([...tags[0]!.data.subarray(5)], DJ_AVC_CONFIG);
    assert.deepEqual([...tags[1]!.data.subarray(2)], DJ_AAC_CONFIG);
    assert.deepEqual(origin(tags[2]!), { mark: DJ_1, timestamp: 0 });
    assert.equal(tags.filter((tag) => tag.kind === 'video-header' || tag.kind === 'audio-header').length, 2, 'sequence headers sent once');
    assert.deepEqual(program.sources, ['dj']);
    assert.equal(program.splicer.onAir, 'dj');
  });

  it('starts an output that joins later at the next keyframe, with the FLV header and sequence headers first', () => {
    const program = new Program();
    const feed = program.connect();
    program.play(feed, media(DJ_1, 0, 10));
    const late: Buffer[] = [];
    program.splicer.addOutput({ write: (chunk) => late.push(chunk) });

    program.play(feed, media(DJ_1, 10, GOP_FRAMES));
    assert.deepEqual(late, [], 'nothing before the next keyframe');
    program.play(feed, media(DJ_1, GOP_FRAMES, GOP_FRAMES + 10));

    assert.deepEqual(late[0], flvFileHeader());
    const joined = readFlvTags(Buffer.concat(late));
    assert.deepEqual(joined.slice(0, 3).map((tag) => tag.kind), ['video-header', 'audio-header', 'keyframe']);
    assert.deepEqual([...joined[0]!.data.subarray(5)], DJ_AVC_CONFIG);
    assert.deepEqual([...joined[1]!.data.subarray(2)], DJ_AAC_CONFIG);
    assert.deepEqual(origin(joined[2]!), { mark: DJ_1, timestamp: Math.round(GOP_FRAMES * FRAME_MS) });
    // From that keyframe on, it gets what the first output gets, byte for byte.
    const first = program.output();
    const keyframeAt = first.findIndex((tag) => tag.kind === 'keyframe' && origin(tag).timestamp === origin(joined[2]!).timestamp);
    assert.deepEqual(joined.slice(2), first.slice(keyframeAt));
  });
});

describe('ProgramSplicer: from the DJ to the slate', () => {
  it('puts the slate on air once the DJ encoder has been silent for stallMs, and reports the stall once', () => {
    const program = new Program();
    program.splicer.setSlate(slateLoop());
    program.play(program.connect(), media(DJ_1, 0, 45));
    const written = program.chunks.length;

    program.advance(STALL_MS - TICK_MS);
    assert.deepEqual(program.sources, ['dj'], 'no switch before stallMs');
    assert.equal(program.stalls, 0);
    assert.equal(program.chunks.length, written, 'nothing sent while the DJ is silent');

    program.advance(2 * TICK_MS);
    assert.deepEqual(program.sources, ['dj', 'slate']);
    assert.equal(program.stalls, 1);
    assert.equal(program.splicer.onAir, 'slate');

    program.advance(3_000);
    assert.equal(program.stalls, 1, 'the stall is reported once');
    assert.deepEqual(program.sources, ['dj', 'slate']);
  });

  it('sends the slate as the clock goes, from its keyframe, not all at once', () => {
    const program = new Program();
    const slate = slateLoop();
    program.splicer.setSlate(slate);
    program.play(program.connect(), media(DJ_1, 0, 45));
    program.advance(STALL_MS + 2 * TICK_MS);
    assert.equal(program.splicer.onAir, 'slate');
    const slateSent = () => program.output().filter((tag) => isMedia(tag) && origin(tag).mark === SLATE).map((tag) => origin(tag).timestamp);

    assert.deepEqual(slateSent(), [0, 0], 'the keyframe and the audio of its time, no more');
    assert.equal(program.output().find((tag) => isMedia(tag) && origin(tag).mark === SLATE)?.kind, 'keyframe');
    program.advance(500);
    assert.deepEqual(slateSent(), slate.tags.filter((tag) => tag.timestamp <= 500).map((tag) => tag.timestamp));
  });

  it('loops the slate, its timestamps carrying on across the end of the loop by durationMs', () => {
    const program = new Program();
    const slate = slateLoop();
    program.splicer.setSlate(slate);
    program.advance(FIRST_PICTURE_WAIT_MS);
    assert.equal(program.splicer.onAir, 'slate');
    program.advance(2_500);

    const frames = program.output().filter(isFrame);
    const expected = [0, 1, 2].flatMap((loop) => slate.tags.filter((tag) => isFrame(tag) && loop * slate.durationMs + tag.timestamp <= 2_500));
    assert.deepEqual(frames.map((tag) => origin(tag)), expected.map((tag) => origin(tag)));
    const keyframes = frames.filter((tag) => tag.kind === 'keyframe').map((tag) => tag.timestamp);
    assert.equal(keyframes.length, 3);
    assert.equal(keyframes[1]! - keyframes[0]!, slate.durationMs);
    assert.equal(keyframes[2]! - keyframes[1]!, slate.durationMs);
    for (let index = 1; index < frames.length; index += 1) assert.ok(frames[index]!.timestamp > frames[index - 1]!.timestamp, `frame ${index} goes back in time`);
  });

  it('puts the slate on air at once when the DJ encoder connection ends, without reporting a stall', () => {
    const program = new Program();
    program.splicer.setSlate(slateLoop());
    const feed = program.connect();
    program.play(feed, media(DJ_1, 0, 20));

    feed.end('its connection closed');
    assert.deepEqual(program.sources, ['dj', 'slate']);
    assert.equal(program.splicer.onAir, 'slate');
    const tags = program.output();
    const slateKeyframe = tags.findIndex((tag) => tag.kind === 'keyframe' && origin(tag).mark === SLATE);
    assert.ok(slateKeyframe > 0, 'the slate keyframe is sent without waiting for a tick');
    assert.deepEqual([...tags[slateKeyframe - 2]!.data.subarray(5)], SLATE_AVC_CONFIG);
    assert.deepEqual([...tags[slateKeyframe - 1]!.data.subarray(2)], SLATE_AAC_CONFIG);

    program.advance(2 * STALL_MS);
    assert.equal(program.stalls, 0);
    assert.deepEqual(program.sources, ['dj', 'slate']);
  });
});

describe('ProgramSplicer: from the slate back to the DJ', () => {
  it('cuts a new DJ encoder connection in at its first keyframe, its sequence headers sent right before', () => {
    const program = new Program();
    program.splicer.setSlate(slateLoop());
    const first = program.connect();
    program.play(first, media(DJ_1, 0, 20));
    first.end('its connection closed');
    program.advance(300);

    // The new connection starts mid-GOP: its first frames cannot be decoded without what came before.
    const second = program.connect();
    const keyframeTimestamp = Math.round(GOP_FRAMES * FRAME_MS);
    program.play(second, media(DJ_2, 20, GOP_FRAMES));
    assert.equal(program.splicer.onAir, 'slate', 'still the slate before the keyframe');
    program.play(second, media(DJ_2, GOP_FRAMES, GOP_FRAMES + 20));

    assert.deepEqual(program.sources, ['dj', 'slate', 'dj']);
    assert.equal(program.splicer.onAir, 'dj');
    const tags = program.output();
    const fromDj2 = tags.filter((tag) => isMedia(tag) && origin(tag).mark === DJ_2);
    assert.equal(fromDj2[0]?.kind, 'keyframe');
    assert.equal(origin(fromDj2[0]!).timestamp, keyframeTimestamp);
    assert.deepEqual(fromDj2.filter((tag) => origin(tag).timestamp < keyframeTimestamp), [], 'nothing of the new connection from before its keyframe');
    assert.ok(fromDj2.some((tag) => tag.kind === 'audio'), 'its audio follows the cut');

    const cut = tags.indexOf(fromDj2[0]!);
    assert.equal(tags[cut - 2]!.kind, 'video-header');
    assert.deepEqual([...tags[cut - 2]!.data.subarray(5)], DJ_AVC_CONFIG);
    assert.equal(tags[cut - 1]!.kind, 'audio-header');
    assert.deepEqual([...tags[cut - 1]!.data.subarray(2)], DJ_AAC_CONFIG);
    assert.ok(tags[cut - 2]!.timestamp <= tags[cut]!.timestamp && tags[cut - 1]!.timestamp <= tags[cut]!.timestamp, 'headers not later than the keyframe');
    assert.deepEqual(tags.slice(cut).filter((tag) => isMedia(tag) && origin(tag).mark !== DJ_2), [], 'no slate after the cut');
  });

  it('cuts to a newer connection of the encoder at its keyframe, and ignores the older one from then on', () => {
    const program = new Program();
    program.splicer.setSlate(slateLoop());
    const older = program.connect();
    program.play(older, media(DJ_1, 0, 20));
    const newer = program.connect();
    // The older connection goes on sending a while, then ends: neither is on air any more.
    program.play(older, media(DJ_1, 20, 25));
    program.play(newer, media(DJ_2, 0, 10));
    program.play(older, media(DJ_1, 25, 30));
    older.end('its connection closed');
    program.play(newer, media(DJ_2, 10, 20));

    assert.deepEqual(program.sources, ['dj'], 'one DJ to another is no switch, and the older ending puts no slate on air');
    assert.equal(program.splicer.onAir, 'dj');
    const tags = program.output();
    assert.deepEqual(stretches(tags), [DJ_1, DJ_2]);
    const cut = tags.findIndex((tag) => isMedia(tag) && origin(tag).mark === DJ_2);
    assert.equal(tags[cut]!.kind, 'keyframe');
    assert.deepEqual(tags.slice(cut).filter((tag) => isMedia(tag) && origin(tag).mark !== DJ_2), [], 'nothing of the older connection after the cut');
    assert.deepEqual(origin(tags.filter(isFrame).at(-1)!), { mark: DJ_2, timestamp: Math.round(19 * FRAME_MS) }, 'the newer connection stays on air');
    assert.ok(tags.slice(0, cut).every((tag) => !isMedia(tag) || origin(tag).timestamp < Math.round(20 * FRAME_MS)), 'nothing of the older connection once the newer one connected');
  });
});

describe('ProgramSplicer: the output clock', () => {
  it('keeps the output clock going forward across switches, whatever the timestamps of each source', () => {
    const program = new Program();
    program.splicer.setSlate(slateLoop());
    // The DJ's first encoder ends on a P-frame shown 100 ms after it is decoded, then stalls.
    program.play(program.connect(), media(DJ_1, 0, 2 * GOP_FRAMES));
    program.advance(STALL_MS + 2 * TICK_MS);
    program.advance(1_230);
    // The DJ's encoder restarted: its timestamps start at 0 again. This one has no B-frames.
    const second = program.connect();
    program.play(second, media(DJ_2, 0, 45, { bFrames: false }));
    second.end('its connection closed');
    program.advance(700);
    const third = program.connect();
    program.play(third, media(DJ_3, 0, GOP_FRAMES));

    assert.deepEqual(program.sources, ['dj', 'slate', 'dj', 'slate', 'dj']);
    const tags = program.output();
    assert.deepEqual(stretches(tags), [DJ_1, SLATE, DJ_2, SLATE, DJ_3]);

    let lastDts = -Infinity;
    let lastAudio = -Infinity;
    let maxPts = -Infinity;
    let onAir = -1;
    /** The source time of the keyframe a stretch starts on, until the stretch's first audio is seen. */
    let keyframeAt: number | null = null;
    for (const tag of tags) {
      if (tag.kind === 'audio') {
        assert.ok(tag.timestamp >= lastAudio, `audio at ${tag.timestamp} ms after audio at ${lastAudio} ms`);
        lastAudio = tag.timestamp;
        if (keyframeAt !== null && origin(tag).mark === onAir) {
          assert.equal(origin(tag).timestamp, keyframeAt, `the audio of ${onAir.toString(16)} from its keyframe on is all sent`);
          keyframeAt = null;
        }
      }
      if (!isFrame(tag)) continue;
      assert.ok(tag.timestamp > lastDts, `a frame decoded at ${tag.timestamp} ms after one at ${lastDts} ms`);
      const pts = tag.timestamp + tag.compositionTime;
      if (origin(tag).mark !== onAir) {
        onAir = origin(tag).mark;
        assert.equal(tag.kind, 'keyframe', 'a switch is on a keyframe');
        assert.ok(tag.timestamp >= lastDts + FRAME_MS, `the first frame of ${onAir.toString(16)} decoded at ${tag.timestamp} ms, less than a frame after ${lastDts} ms`);
        assert.ok(pts > maxPts, `the first picture of ${onAir.toString(16)} shown at ${pts} ms, one before at ${maxPts} ms`);
        keyframeAt = origin(tag).timestamp;
      }
      lastDts = tag.timestamp;
      maxPts = Math.max(maxPts, pts);
    }
  });

  it('does not let a new encoder whose timestamps restart at 0 take the output back in time', () => {
    const program = new Program();
    program.splicer.setSlate(slateLoop());
    const first = program.connect();
    program.play(first, media(DJ_1, 0, 3 * GOP_FRAMES));
    first.end('its connection closed');
    const before = program.output().filter(isFrame).at(-1)!.timestamp;

    program.play(program.connect(), media(DJ_2, 0, 10));
    const fromDj2 = program.output().filter((tag) => isFrame(tag) && origin(tag).mark === DJ_2);
    assert.ok(fromDj2.length > 0);
    assert.ok(fromDj2[0]!.timestamp > before, `the new encoder's first frame at ${fromDj2[0]!.timestamp} ms, the output was at ${before} ms`);
  });

  it('drops audio of a new connection that is older than its keyframe rather than send audio back in time', () => {
    const program = new Program();
    // No B-frames, and audio 100 ms past the last frame: the next source starts after that audio.
    const first = program.connect();
    program.play(first, [...media(DJ_1, 0, GOP_FRAMES, { bFrames: false }), ...audio(DJ_1, 1_000, 1_100)]);
    first.end('its connection closed');
    assert.equal(program.splicer.onAir, 'none', 'no slate yet');

    // The new connection starts on a keyframe, but sends audio from 20 ms before it right after it.
    const second = program.connect();
    const [keyframe, ...rest] = media(DJ_2, GOP_FRAMES, GOP_FRAMES + 10, { bFrames: false });
    assert.equal(keyframe?.kind, 'keyframe');
    const late = audio(DJ_2, keyframe.timestamp - 20, keyframe.timestamp);
    assert.equal(late.length, 1);
    program.play(second, [keyframe, ...late, ...rest]);

    assert.deepEqual(program.sources, ['dj', 'dj']);
    const sound = program.output().filter((tag) => tag.kind === 'audio');
    for (let index = 1; index < sound.length; index += 1) assert.ok(sound[index]!.timestamp >= sound[index - 1]!.timestamp, `audio ${index} goes back in time`);
    const fromDj2 = sound.filter((tag) => origin(tag).mark === DJ_2).map((tag) => origin(tag).timestamp);
    assert.deepEqual(fromDj2, rest.filter((tag) => tag.kind === 'audio').map((tag) => tag.timestamp), 'its audio from the keyframe on');
  });

  it('keeps video decoding times strictly increasing when an encoder repeats one', () => {
    const program = new Program();
    const feed = program.connect();
    const tags = media(DJ_1, 0, 4, { bFrames: false }).filter(isFrame);
    const repeated = tagOf(FLV_TAG_VIDEO, tags[1]!.timestamp, tags[2]!.data);
    program.play(feed, [tags[0]!, tags[1]!, repeated, tags[3]!]);

    const frames = program.output().filter(isFrame);
    assert.equal(frames.length, 4);
    for (let index = 1; index < frames.length; index += 1) assert.ok(frames[index]!.timestamp > frames[index - 1]!.timestamp, `frame ${index} decoded at ${frames[index]!.timestamp} ms`);
  });
});

describe('ProgramSplicer: sequence headers', () => {
  it('passes new sequence headers of the encoder on air on, and starts an output that joins later with them', () => {
    const program = new Program();
    const feed = program.connect();
    program.play(feed, media(DJ_1, 0, 10));
    const changed = [...DJ_AVC_CONFIG.slice(0, -1), 0xee];
    feed.tag(videoHeader(changed, Math.round(10 * FRAME_MS)));
    const late: Buffer[] = [];
    program.splicer.addOutput({ write: (chunk) => late.push(chunk) });
    program.play(feed, media(DJ_1, 10, GOP_FRAMES + 5));

    const headers = program.output().filter((tag) => tag.kind === 'video-header');
    assert.deepEqual(headers.map((tag) => [...tag.data.subarray(5)]), [DJ_AVC_CONFIG, changed]);
    const joined = readFlvTags(Buffer.concat(late));
    assert.equal(joined[0]?.kind, 'video-header');
    assert.deepEqual([...joined[0]!.data.subarray(5)], changed);
  });

  it('puts a new slate on air at once, from its keyframe and its headers, when it is set while the slate is on air', () => {
    const program = new Program();
    program.splicer.setSlate(slateLoop());
    program.advance(FIRST_PICTURE_WAIT_MS);
    program.advance(500);
    const before = program.output().filter(isFrame).at(-1)!.timestamp;

    // Another track title; its headers differ here only so that the output shows whose were sent.
    const otherConfig = [...SLATE_AVC_CONFIG.slice(0, -1), 0xee];
    program.splicer.setSlate({ ...slateLoop(), videoHeader: videoHeader(otherConfig) });
    const tags = program.output();
    const newSlate = tags.findIndex((tag) => tag.kind === 'video-header' && tag.data.subarray(5).equals(Buffer.from(otherConfig)));
    assert.ok(newSlate > 0, 'the new slate headers are sent at once');
    const next = tags.slice(newSlate).find(isFrame);
    assert.ok(next && next.kind === 'keyframe', 'then its keyframe');
    assert.deepEqual(origin(next), { mark: SLATE, timestamp: 0 });
    assert.ok(next.timestamp > before);
    assert.deepEqual(program.sources, ['slate'], 'the slate again is no switch');
  });
});

describe('ProgramSplicer: before the slate is ready', () => {
  it('waits, showing nothing, when the DJ stalls with no slate yet; the slate goes on air the moment it is set', () => {
    const program = new Program();
    program.play(program.connect(), media(DJ_1, 0, 45));
    program.advance(STALL_MS + 2 * TICK_MS);
    assert.equal(program.stalls, 1);
    assert.deepEqual(program.sources, ['dj']);
    assert.equal(program.splicer.onAir, 'none');
    const written = program.chunks.length;
    program.advance(10_000);
    assert.equal(program.chunks.length, written);

    program.splicer.setSlate(slateLoop());
    assert.deepEqual(program.sources, ['dj', 'slate']);
    assert.ok(program.chunks.length > written, 'nothing written when the slate came');
    const tags = program.output();
    const slateKeyframe = tags.find((tag) => tag.kind === 'keyframe' && origin(tag).mark === SLATE);
    assert.ok(slateKeyframe);
    assert.ok(slateKeyframe.timestamp > tags.filter((tag) => isFrame(tag) && origin(tag).mark === DJ_1).at(-1)!.timestamp);
  });

  it('puts the slate on air when no DJ picture has come firstPictureWaitMs after the slate is set', () => {
    const program = new Program();
    program.splicer.setSlate(slateLoop());
    program.advance(FIRST_PICTURE_WAIT_MS - TICK_MS);
    assert.deepEqual(program.sources, []);
    assert.deepEqual(program.chunks, []);

    program.advance(TICK_MS);
    assert.deepEqual(program.sources, ['slate']);
    assert.deepEqual(program.chunks[0], flvFileHeader());
    assert.deepEqual(program.output().slice(0, 3).map((tag) => tag.kind), ['video-header', 'audio-header', 'keyframe']);
  });
});

describe('ProgramSplicer: after close()', () => {
  it('writes nothing more and reports no switch or stall', () => {
    const program = new Program();
    program.splicer.setSlate(slateLoop());
    const feed = program.connect();
    program.play(feed, media(DJ_1, 0, 20));
    const written = program.chunks.length;
    const switches = program.switches.length;

    program.splicer.close();
    program.play(feed, media(DJ_1, 20, GOP_FRAMES + 10));
    program.advance(2 * STALL_MS);
    feed.end('its connection closed');
    program.play(program.connect(), media(DJ_2, 0, 10));
    program.advance(FIRST_PICTURE_WAIT_MS);

    assert.equal(program.chunks.length, written);
    assert.equal(program.switches.length, switches);
    assert.equal(program.stalls, 0);
  });
});

describe('ProgramSplicer: headersMatch', () => {
  it('is null until both the slate and the DJ encoder sequence headers are known', () => {
    const program = new Program();
    assert.equal(program.splicer.headersMatch(), null);
    program.splicer.setSlate(slateLoop());
    assert.equal(program.splicer.headersMatch(), null, 'no DJ encoder yet');
    const feed = program.splicer.connectLive();
    assert.equal(program.splicer.headersMatch(), null, 'a DJ encoder without its headers yet');
    feed.tag(videoHeader(SLATE_AVC_CONFIG));
    feed.tag(audioHeader(SLATE_AAC_CONFIG));
    assert.notEqual(program.splicer.headersMatch(), null);
  });

  it('tells for video and audio whether the DJ encoder headers equal the slate headers byte for byte', () => {
    const program = new Program();
    program.splicer.setSlate(slateLoop());
    program.connect(SLATE_AVC_CONFIG, SLATE_AAC_CONFIG);
    assert.deepEqual(program.splicer.headersMatch(), { video: true, audio: true });
    program.connect(DJ_AVC_CONFIG, SLATE_AAC_CONFIG);
    assert.deepEqual(program.splicer.headersMatch(), { video: false, audio: true });
    program.connect(SLATE_AVC_CONFIG, DJ_AAC_CONFIG);
    assert.deepEqual(program.splicer.headersMatch(), { video: true, audio: false });
    program.connect(DJ_AVC_CONFIG, DJ_AAC_CONFIG);
    assert.deepEqual(program.splicer.headersMatch(), { video: false, audio: false });
  });
});

describe('ProgramSplicer: setSlate', () => {
  it('refuses a loop that does not start with a keyframe, and keeps no slate', () => {
    const program = new Program();
    const slate = slateLoop();
    const fromInterFrame = slate.tags.slice(slate.tags.findIndex((tag) => tag.kind === 'video'));
    assert.equal(fromInterFrame[0]?.kind, 'video');
    assert.throws(() => program.splicer.setSlate({ ...slate, tags: fromInterFrame }), /keyframe/);
    assert.throws(() => program.splicer.setSlate({ ...slate, tags: [] }), /keyframe/);

    program.advance(2 * FIRST_PICTURE_WAIT_MS);
    assert.deepEqual(program.sources, []);
    assert.equal(program.splicer.onAir, 'none');
  });
});
