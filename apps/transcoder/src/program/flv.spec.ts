import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyTag,
  encodeTag,
  flvFileHeader,
  FlvFormatError,
  FlvTagReader,
  FLV_TAG_AUDIO,
  FLV_TAG_SCRIPT,
  FLV_TAG_VIDEO,
  readFlvTags,
  type FlvTag,
} from './flv.js';

const KEYFRAME = 1;
const INTER_FRAME = 2;
const AVC_SEQUENCE_HEADER = 0;
const AVC_NALU = 1;
const AAC_SEQUENCE_HEADER = 0;
const AAC_RAW = 1;

/** An H.264 video tag's body: frame type and codec 7, AVC packet type, signed 24-bit composition time, payload. */
function avcBody(frameType: number, packetType: number, compositionTime: number, payload: number[] = []): Buffer {
  const body = Buffer.alloc(5 + payload.length);
  body[0] = (frameType << 4) | 7;
  body[1] = packetType;
  body.writeIntBE(compositionTime, 2, 3);
  body.set(payload, 5);
  return body;
}

/** An AAC audio tag's body (44 kHz, 16 bits, stereo as FLV spells it), its packet type, payload. */
function aacBody(packetType: number, payload: number[] = []): Buffer {
  return Buffer.from([0xaf, packetType, ...payload]);
}

/** A little stream as an encoder sends it: sequence headers, a keyframe, an inter frame, audio. */
const STREAM_TAGS: Array<{ type: number; timestamp: number; data: Buffer }> = [
  { type: FLV_TAG_SCRIPT, timestamp: 0, data: Buffer.from([0x02, 0x00, 0x0a, ...Buffer.from('onMetaData')]) },
  { type: FLV_TAG_VIDEO, timestamp: 0, data: avcBody(KEYFRAME, AVC_SEQUENCE_HEADER, 0, [0x01, 0x64, 0x00, 0x1f, 0xff]) },
  { type: FLV_TAG_AUDIO, timestamp: 0, data: aacBody(AAC_SEQUENCE_HEADER, [0x11, 0x90]) },
  { type: FLV_TAG_VIDEO, timestamp: 0, data: avcBody(KEYFRAME, AVC_NALU, 66, [0x00, 0x00, 0x00, 0x02, 0x65, 0x88]) },
  { type: FLV_TAG_AUDIO, timestamp: 21, data: aacBody(AAC_RAW, [0x21, 0x10, 0x04]) },
  { type: FLV_TAG_VIDEO, timestamp: 33, data: avcBody(INTER_FRAME, AVC_NALU, -34, [0x00, 0x00, 0x00, 0x02, 0x41, 0x9a]) },
];

function encodeStream(): Buffer {
  return Buffer.concat([flvFileHeader(), ...STREAM_TAGS.map((tag) => encodeTag(tag.type, tag.timestamp, tag.data))]);
}

const withoutKind = (tag: FlvTag) => ({ type: tag.type, timestamp: tag.timestamp, data: tag.data });

describe('encodeTag and FlvTagReader', () => {
  it('reads back the type, timestamp and body of each encoded tag, in order', () => {
    const tags = readFlvTags(encodeStream());
    assert.deepEqual(tags.map(withoutKind), STREAM_TAGS);
  });

  it('reads the kind and composition time of each tag as classifyTag gives them', () => {
    const tags = readFlvTags(encodeStream());
    assert.deepEqual(
      tags.map((tag) => [tag.kind, tag.compositionTime]),
      [['other', 0], ['video-header', 0], ['audio-header', 0], ['keyframe', 66], ['audio', 0], ['video', -34]],
    );
  });

  it('writes a tag as an 11-byte header (type, body size, timestamp), the body, then a PreviousTagSize of 11 + body', () => {
    const body = aacBody(AAC_RAW, [1, 2, 3, 4, 5]);
    const encoded = encodeTag(FLV_TAG_AUDIO, 0x012345, body);
    assert.equal(encoded.length, 11 + body.length + 4);
    assert.equal(encoded[0], FLV_TAG_AUDIO);
    assert.equal(encoded.readUIntBE(1, 3), body.length);
    assert.equal(encoded.readUIntBE(4, 3), 0x012345);
    assert.equal(encoded[7], 0, 'extended timestamp byte');
    assert.equal(encoded.readUIntBE(8, 3), 0, 'stream id');
    assert.deepEqual(encoded.subarray(11, 11 + body.length), body);
    assert.equal(encoded.readUInt32BE(11 + body.length), 11 + body.length);
  });

  it('keeps a timestamp above 24 bits: its top byte goes in the extended byte and is read back', () => {
    // 0x12345678 ms is about 84 hours: a broadcast that long must not see its clock wrap at 4.6 hours.
    const timestamp = 0x12345678;
    const encoded = encodeTag(FLV_TAG_VIDEO, timestamp, avcBody(INTER_FRAME, AVC_NALU, 0, [9]));
    assert.equal(encoded.readUIntBE(4, 3), 0x345678);
    assert.equal(encoded[7], 0x12);
    const [tag] = readFlvTags(Buffer.concat([flvFileHeader(), encoded]));
    assert.equal(tag?.timestamp, timestamp);
  });

  it('reads a timestamp with the extended byte at 0xff (the largest FLV can hold) as a positive number', () => {
    const timestamp = 0xff000001;
    const [tag] = readFlvTags(Buffer.concat([flvFileHeader(), encodeTag(FLV_TAG_AUDIO, timestamp, aacBody(AAC_RAW, [1]))]));
    assert.equal(tag?.timestamp, timestamp);
  });

  it('hands out every tag of one chunk that holds several', () => {
    const seen: FlvTag[] = [];
    new FlvTagReader((tag) => seen.push(tag)).push(encodeStream());
    assert.equal(seen.length, STREAM_TAGS.length);
  });

  it('hands out each tag, whole, once its last byte arrives when the stream comes one byte at a time', () => {
    const stream = encodeStream();
    // Where each tag ends in the stream (its PreviousTagSize included).
    const ends: number[] = [];
    let end = flvFileHeader().length;
    for (const tag of STREAM_TAGS) {
      end += 11 + tag.data.length + 4;
      ends.push(end);
    }
    assert.equal(end, stream.length);

    const seen: FlvTag[] = [];
    const reader = new FlvTagReader((tag) => seen.push(tag));
    for (let index = 0; index < stream.length; index += 1) {
      reader.push(stream.subarray(index, index + 1));
      const received = index + 1;
      assert.equal(seen.length, ends.filter((tagEnd) => tagEnd <= received).length, `tags handed out after ${received} bytes`);
    }
    assert.deepEqual(seen, readFlvTags(stream));
  });

  it('hands out the same tags whatever the chunk boundaries', () => {
    const stream = encodeStream();
    const whole = readFlvTags(stream);
    for (const size of [2, 3, 7, 11, 12, 13, 17, 40]) {
      const seen: FlvTag[] = [];
      const reader = new FlvTagReader((tag) => seen.push(tag));
      for (let offset = 0; offset < stream.length; offset += size) reader.push(stream.subarray(offset, offset + size));
      assert.deepEqual(seen, whole, `in chunks of ${size} bytes`);
    }
  });

  it('gives each tag a body of its own, not a view of a chunk the caller may reuse', () => {
    const stream = encodeStream();
    const seen: FlvTag[] = [];
    new FlvTagReader((tag) => seen.push(tag)).push(stream);
    stream.fill(0);
    assert.deepEqual(seen.map(withoutKind), STREAM_TAGS);
  });

  it('skips the extra bytes of a file header longer than 9 bytes', () => {
    const header = Buffer.alloc(13 + 4);
    header.write('FLV', 0, 'latin1');
    header[3] = 1;
    header[4] = 0x05;
    header.writeUInt32BE(13, 5);
    header.fill(0xee, 9, 13);
    const tag = STREAM_TAGS[3]!;
    const tags = readFlvTags(Buffer.concat([header, encodeTag(tag.type, tag.timestamp, tag.data)]));
    assert.deepEqual(tags.map(withoutKind), [tag]);
  });
});

describe('classifyTag', () => {
  it('calls an AVC sequence header (packet type 0) a video header, not a keyframe', () => {
    assert.deepEqual(classifyTag(FLV_TAG_VIDEO, avcBody(KEYFRAME, AVC_SEQUENCE_HEADER, 0, [0x01, 0x64])), { kind: 'video-header', compositionTime: 0 });
  });

  it('calls an AVC NAL unit of frame type 1 a keyframe, of frame type 2 an inter frame', () => {
    assert.equal(classifyTag(FLV_TAG_VIDEO, avcBody(KEYFRAME, AVC_NALU, 0, [0x65])).kind, 'keyframe');
    assert.equal(classifyTag(FLV_TAG_VIDEO, avcBody(INTER_FRAME, AVC_NALU, 0, [0x41])).kind, 'video');
  });

  it('reads a positive composition time (a frame shown after later-decoded B-frames)', () => {
    assert.equal(classifyTag(FLV_TAG_VIDEO, avcBody(INTER_FRAME, AVC_NALU, 100)).compositionTime, 100);
    assert.equal(classifyTag(FLV_TAG_VIDEO, avcBody(KEYFRAME, AVC_NALU, 66)).compositionTime, 66);
    assert.equal(classifyTag(FLV_TAG_VIDEO, avcBody(INTER_FRAME, AVC_NALU, 0x7fffff)).compositionTime, 0x7fffff);
  });

  it('reads a negative composition time as a signed 24-bit number', () => {
    const body = avcBody(INTER_FRAME, AVC_NALU, -34);
    assert.deepEqual([...body.subarray(2, 5)], [0xff, 0xff, 0xde]);
    assert.equal(classifyTag(FLV_TAG_VIDEO, body).compositionTime, -34);
    assert.equal(classifyTag(FLV_TAG_VIDEO, avcBody(INTER_FRAME, AVC_NALU, -0x800000)).compositionTime, -0x800000);
  });

  it('tells the AAC sequence header apart from raw AAC frames', () => {
    assert.deepEqual(classifyTag(FLV_TAG_AUDIO, aacBody(AAC_SEQUENCE_HEADER, [0x11, 0x90])), { kind: 'audio-header', compositionTime: 0 });
    assert.deepEqual(classifyTag(FLV_TAG_AUDIO, aacBody(AAC_RAW, [0x21])), { kind: 'audio', compositionTime: 0 });
  });

  it('calls everything that is not H.264 or AAC media "other"', () => {
    // Sorenson H.263 (codec 2) and VP6 (codec 4) keyframes.
    assert.equal(classifyTag(FLV_TAG_VIDEO, Buffer.from([0x12, 0x01, 0x00, 0x00, 0x00, 0x00])).kind, 'other');
    assert.equal(classifyTag(FLV_TAG_VIDEO, Buffer.from([0x14, 0x01, 0x00, 0x00, 0x00, 0x00])).kind, 'other');
    // The AVC end of sequence.
    assert.equal(classifyTag(FLV_TAG_VIDEO, avcBody(KEYFRAME, 2, 0)).kind, 'other');
    // An AVC tag too short to hold its composition time.
    assert.equal(classifyTag(FLV_TAG_VIDEO, Buffer.from([0x17, 0x01, 0x00])).kind, 'other');
    // MP3 audio.
    assert.equal(classifyTag(FLV_TAG_AUDIO, Buffer.from([0x2f, 0xff, 0xfb])).kind, 'other');
    assert.equal(classifyTag(FLV_TAG_SCRIPT, Buffer.from([0x02, 0x00, 0x00])).kind, 'other');
  });
});

describe('FlvTagReader: what is not FLV', () => {
  it('refuses a stream that does not start with the FLV signature', () => {
    const notFlv = Buffer.from(flvFileHeader());
    notFlv.write('GIF', 0, 'latin1');
    assert.throws(() => new FlvTagReader(() => undefined).push(notFlv), FlvFormatError);
  });

  it('refuses a file header whose size field is below 9 bytes', () => {
    const header = Buffer.from(flvFileHeader());
    header.writeUInt32BE(4, 5);
    assert.throws(() => new FlvTagReader(() => undefined).push(header), FlvFormatError);
  });

  it('refuses a tag type that is not audio, video or script', () => {
    const tag = encodeTag(FLV_TAG_VIDEO, 0, avcBody(KEYFRAME, AVC_NALU, 0, [1, 2, 3]));
    tag[0] = 7;
    const handedOut: FlvTag[] = [];
    assert.throws(() => new FlvTagReader((seen) => handedOut.push(seen)).push(Buffer.concat([flvFileHeader(), tag])), FlvFormatError);
    assert.deepEqual(handedOut, []);
  });

  it('refuses an unknown tag type as soon as its tag header has arrived, without waiting for its body', () => {
    const reader = new FlvTagReader(() => undefined);
    reader.push(flvFileHeader());
    const header = Buffer.alloc(11);
    header[0] = 0x0a;
    header.writeUIntBE(1000, 1, 3);
    assert.throws(() => reader.push(header), FlvFormatError);
  });

  it('refuses a tag that announces an absurd size (0xffffff bytes) rather than buffer 16 MB waiting for it', () => {
    const header = Buffer.alloc(11);
    header[0] = FLV_TAG_VIDEO;
    header.writeUIntBE(0xffffff, 1, 3);
    assert.throws(() => new FlvTagReader(() => undefined).push(Buffer.concat([flvFileHeader(), header])), FlvFormatError);
  });
});

describe('flvFileHeader', () => {
  it('is the 9-byte FLV header of version 1 with audio and video, then a PreviousTagSize of 0', () => {
    const header = flvFileHeader();
    assert.equal(header.length, 13);
    assert.equal(header.toString('latin1', 0, 3), 'FLV');
    assert.equal(header[3], 1);
    assert.equal(header[4], 0x05);
    assert.equal(header.readUInt32BE(5), 9);
    assert.equal(header.readUInt32BE(9), 0);
  });

  it('is accepted by the reader, which then reads the tags that follow it', () => {
    const seen: FlvTag[] = [];
    const reader = new FlvTagReader((tag) => seen.push(tag));
    assert.doesNotThrow(() => reader.push(flvFileHeader()));
    assert.equal(seen.length, 0);
    const tag = STREAM_TAGS[3]!;
    reader.push(encodeTag(tag.type, tag.timestamp, tag.data));
    assert.deepEqual(seen.map(withoutKind), [tag]);
  });
});
