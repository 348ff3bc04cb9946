/*
 * The few parts of FLV (Adobe's "Video File Format Specification", v10) that the program switcher
 * needs: read the tags of a stream as they arrive, tell sequence headers and keyframes apart, and
 * write tags back with other timestamps. Only H.264 video and AAC audio are understood; other tags
 * pass through as `other`.
 */

export const FLV_TAG_AUDIO = 8;
export const FLV_TAG_VIDEO = 9;
export const FLV_TAG_SCRIPT = 18;

const FILE_HEADER_BYTES = 9;
const TAG_HEADER_BYTES = 11;
const PREVIOUS_TAG_SIZE_BYTES = 4;
/**
 * No real tag is this big (a 1080p keyframe at 20 Mb/s is well under 1 MB); a length beyond it means
 * the stream is not FLV or is corrupt. Below the field's own 24-bit maximum, so that it can trigger.
 */
const MAX_TAG_BYTES = 4 * 1024 * 1024;

export type FlvTagKind = 'video-header' | 'keyframe' | 'video' | 'audio-header' | 'audio' | 'other';

export interface FlvTag {
  type: number;
  /** Decoding time in milliseconds (FLV's 24 bits plus the extended byte). */
  timestamp: number;
  /** The tag's body, after the 11-byte tag header. */
  data: Buffer;
  kind: FlvTagKind;
  /** For H.264 frames, the composition time offset (pts − dts) in milliseconds. */
  compositionTime: number;
}

export function classifyTag(type: number, data: Buffer): { kind: FlvTagKind; compositionTime: number } {
  if (type === FLV_TAG_VIDEO && data.length >= 5 && (data[0]! & 0x0f) === 7) {
    const frameType = data[0]! >> 4;
    const packetType = data[1]!;
    // A signed 24-bit number: B-frames make the composition time of later frames positive.
    const compositionTime = ((data.readUIntBE(2, 3) << 8) >> 8);
    if (packetType === 0) return { kind: 'video-header', compositionTime: 0 };
    if (packetType === 1) return { kind: frameType === 1 ? 'keyframe' : 'video', compositionTime };
    return { kind: 'other', compositionTime: 0 };
  }
  if (type === FLV_TAG_AUDIO && data.length >= 2 && data[0]! >> 4 === 10) {
    return { kind: data[1] === 0 ? 'audio-header' : 'audio', compositionTime: 0 };
  }
  return { kind: 'other', compositionTime: 0 };
}

/** An FLV file header announcing audio and video, with the first PreviousTagSize (0). */
export function flvFileHeader(): Buffer {
  const header = Buffer.alloc(FILE_HEADER_BYTES + PREVIOUS_TAG_SIZE_BYTES);
  header.write('FLV', 0, 'latin1');
  header[3] = 1;
  header[4] = 0x05; // audio (4) + video (1)
  header.writeUInt32BE(FILE_HEADER_BYTES, 5);
  return header;
}

/** One tag with its PreviousTagSize, ready to send. */
export function encodeTag(type: number, timestamp: number, data: Buffer): Buffer {
  const out = Buffer.alloc(TAG_HEADER_BYTES + data.length + PREVIOUS_TAG_SIZE_BYTES);
  out[0] = type;
  out.writeUIntBE(data.length, 1, 3);
  const ts = Math.max(0, Math.round(timestamp)) >>> 0;
  out.writeUIntBE(ts & 0xffffff, 4, 3);
  out[7] = (ts >>> 24) & 0xff;
  // StreamID (3 bytes) stays 0.
  data.copy(out, TAG_HEADER_BYTES);
  out.writeUInt32BE(TAG_HEADER_BYTES + data.length, TAG_HEADER_BYTES + data.length);
  return out;
}

export class FlvFormatError extends Error {
  override readonly name = 'FlvFormatError';
}

/**
 * Reads FLV as it arrives in chunks of any size, and hands out whole tags. Throws FlvFormatError
 * on what is not FLV, so a source that sends garbage is dropped rather than spliced in.
 */
export class FlvTagReader {
  private buffer: Buffer = Buffer.alloc(0);
  private headerRead = false;

  constructor(private readonly onTag: (tag: FlvTag) => void) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let offset = 0;
    if (!this.headerRead) {
      if (this.buffer.length < FILE_HEADER_BYTES + PREVIOUS_TAG_SIZE_BYTES) return;
      if (this.buffer.toString('latin1', 0, 3) !== 'FLV') throw new FlvFormatError('the stream does not start with an FLV header');
      const headerSize = this.buffer.readUInt32BE(5);
      if (headerSize < FILE_HEADER_BYTES || headerSize > 1024) throw new FlvFormatError(`FLV header size ${headerSize} is not valid`);
      if (this.buffer.length < headerSize + PREVIOUS_TAG_SIZE_BYTES) return;
      offset = headerSize + PREVIOUS_TAG_SIZE_BYTES;
      this.headerRead = true;
    }
    while (this.buffer.length - offset >= TAG_HEADER_BYTES) {
      const type = this.buffer[offset]! & 0x1f;
      const size = this.buffer.readUIntBE(offset + 1, 3);
      if (size > MAX_TAG_BYTES) throw new FlvFormatError(`an FLV tag of ${size} bytes`);
      if (type !== FLV_TAG_AUDIO && type !== FLV_TAG_VIDEO && type !== FLV_TAG_SCRIPT) throw new FlvFormatError(`FLV tag type ${type} is not audio, video or script`);
      const total = TAG_HEADER_BYTES + size + PREVIOUS_TAG_SIZE_BYTES;
      if (this.buffer.length - offset < total) break;
      const timestamp = (this.buffer.readUIntBE(offset + 4, 3) | (this.buffer[offset + 7]! << 24)) >>> 0;
      // A copy: the chunk it came from is released once every tag in it is handed out.
      const data = Buffer.from(this.buffer.subarray(offset + TAG_HEADER_BYTES, offset + TAG_HEADER_BYTES + size));
      offset += total;
      this.onTag({ type, timestamp, data, ...classifyTag(type, data) });
    }
    this.buffer = offset === 0 ? this.buffer : Buffer.from(this.buffer.subarray(offset));
  }
}

/** Every tag of a whole FLV file, in order. */
export function readFlvTags(file: Buffer): FlvTag[] {
  const tags: FlvTag[] = [];
  new FlvTagReader((tag) => tags.push(tag)).push(file);
  return tags;
}
