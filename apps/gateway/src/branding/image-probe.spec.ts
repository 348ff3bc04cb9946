import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { probeImage } from './image-probe.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** A PNG header as an encoder writes it: signature, IHDR (8-bit RGBA), then an empty IEND. */
function png(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from(PNG_SIGNATURE), pngChunk('IHDR', ihdr), pngChunk('IEND', Buffer.alloc(0))]);
}

function jpegSegment(marker: number, payload: Buffer): Buffer {
  const header = Buffer.from([0xff, marker, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([header, payload]);
}
const APP0 = jpegSegment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0])); // JFIF
const DQT = jpegSegment(0xdb, Buffer.alloc(65, 1));
const DHT = jpegSegment(0xc4, Buffer.alloc(29, 0));
function startOfFrame(marker: number, width: number, height: number): Buffer {
  // precision, height, width, 3 components of (id, sampling, table).
  const payload = Buffer.from([8, 0, 0, 0, 0, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  payload.writeUInt16BE(height, 1);
  payload.writeUInt16BE(width, 3);
  return jpegSegment(marker, payload);
}
const SOI = Buffer.from([0xff, 0xd8]);
const SOS_AND_EOI = Buffer.concat([jpegSegment(0xda, Buffer.from([3, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3f, 0])), Buffer.from([0x12, 0x34, 0xff, 0xd9])]);
const jpeg = (...segments: Buffer[]) => Buffer.concat([SOI, ...segments, SOS_AND_EOI]);

describe('probeImage: PNG', () => {
  it('reads type and size from the IHDR header', () => {
    assert.deepEqual(probeImage(png(37, 21)), { mimeType: 'image/png', extension: 'png', width: 37, height: 21 });
  });

  it('reads large sizes as unsigned 32-bit big endian', () => {
    assert.deepEqual(probeImage(png(8192, 300)), { mimeType: 'image/png', extension: 'png', width: 8192, height: 300 });
  });

  it('rejects a PNG whose first chunk is not IHDR', () => {
    const damaged = png(10, 10);
    damaged.write('IDAT', 12, 'latin1');
    assert.deepEqual(probeImage(damaged), { problem: 'PNG file has no IHDR header; it is damaged' });
  });

  it('rejects a PNG truncated before its dimensions', () => {
    for (const length of [8, 16, 20, 23]) {
      assert.deepEqual(probeImage(png(10, 10).subarray(0, length)), { problem: 'file is not a PNG or JPEG image' }, `${length} bytes`);
    }
  });

  it('rejects a damaged signature', () => {
    const damaged = png(10, 10);
    damaged[1] = 0x51;
    assert.deepEqual(probeImage(damaged), { problem: 'file is not a PNG or JPEG image' });
  });

  it('rejects zero-size images', () => {
    assert.deepEqual(probeImage(png(0, 10)), { problem: 'image has no pixels (0x10)' });
    assert.deepEqual(probeImage(png(10, 0)), { problem: 'image has no pixels (10x0)' });
  });

  it('rejects images larger than 8192 pixels on either side', () => {
    assert.deepEqual(probeImage(png(8193, 10)), { problem: 'image is 8193x10; at most 8192x8192 is accepted' });
    assert.deepEqual(probeImage(png(10, 8193)), { problem: 'image is 10x8193; at most 8192x8192 is accepted' });
    assert.deepEqual(probeImage(png(0xffffffff, 1)), { problem: 'image is 4294967295x1; at most 8192x8192 is accepted' });
  });
});

describe('probeImage: JPEG', () => {
  it('reads width and height from SOF0 after APP0 (height comes first in the header)', () => {
    assert.deepEqual(probeImage(jpeg(APP0, DQT, startOfFrame(0xc0, 37, 21))), { mimeType: 'image/jpeg', extension: 'jpg', width: 37, height: 21 });
  });

  it('reads a progressive (SOF2) JPEG', () => {
    assert.deepEqual(probeImage(jpeg(APP0, startOfFrame(0xc2, 640, 480))), { mimeType: 'image/jpeg', extension: 'jpg', width: 640, height: 480 });
  });

  it('skips a Huffman table (0xC4), which is not a frame header', () => {
    assert.deepEqual(probeImage(jpeg(APP0, DHT, DQT, startOfFrame(0xc0, 300, 200))), { mimeType: 'image/jpeg', extension: 'jpg', width: 300, height: 200 });
  });

  it('skips fill bytes between segments', () => {
    const withFill = Buffer.concat([SOI, APP0, Buffer.from([0xff, 0xff]), startOfFrame(0xc0, 12, 34), SOS_AND_EOI]);
    assert.deepEqual(probeImage(withFill), { mimeType: 'image/jpeg', extension: 'jpg', width: 12, height: 34 });
  });

  it('rejects a JPEG without a frame header', () => {
    assert.deepEqual(probeImage(jpeg(APP0, DQT)), { problem: 'JPEG file has no frame header; it is damaged or truncated' });
    assert.deepEqual(probeImage(Buffer.concat([SOI, APP0])), { problem: 'JPEG file has no frame header; it is damaged or truncated' });
  });

  it('rejects a JPEG truncated before its frame header', () => {
    const whole = jpeg(APP0, DQT, startOfFrame(0xc0, 37, 21));
    const cut = whole.subarray(0, SOI.length + APP0.length + DQT.length + 6);
    assert.deepEqual(probeImage(cut), { problem: 'JPEG file has no frame header; it is damaged or truncated' });
  });

  it('rejects garbage where a marker should be', () => {
    const damaged = Buffer.concat([SOI, APP0, Buffer.from([0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99])]);
    assert.deepEqual(probeImage(damaged), { problem: 'JPEG file is damaged (bad marker)' });
  });

  it('applies the same size limits', () => {
    assert.deepEqual(probeImage(jpeg(APP0, startOfFrame(0xc0, 0, 10))), { problem: 'image has no pixels (0x10)' });
    assert.deepEqual(probeImage(jpeg(APP0, startOfFrame(0xc0, 9000, 10))), { problem: 'image is 9000x10; at most 8192x8192 is accepted' });
  });
});

describe('probeImage: neither PNG nor JPEG', () => {
  const problem = { problem: 'file is not a PNG or JPEG image' };
  it('rejects an empty file', () => {
    assert.deepEqual(probeImage(Buffer.alloc(0)), problem);
  });
  it('rejects a text file, even one named like an image', () => {
    assert.deepEqual(probeImage(Buffer.from('this is not an image, just logo.png renamed\n')), problem);
  });
  it('rejects a GIF', () => {
    const gif = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.from([37, 0, 21, 0, 0, 0, 0]), Buffer.from([0x3b])]);
    assert.deepEqual(probeImage(gif), problem);
  });
  it('rejects an SVG and a WebP', () => {
    assert.deepEqual(probeImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')), problem);
    assert.deepEqual(probeImage(Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 '), Buffer.alloc(16)])), problem);
  });
  it('rejects a lone JPEG start marker', () => {
    assert.deepEqual(probeImage(Buffer.from([0xff, 0xd8, 0xff])), problem);
  });
});

describe('probeImage: files written by ffmpeg', () => {
  let directory = '';
  let available = true;
  before(() => {
    // format=rgb24: in yuv420p the color source would round odd sizes down to even ones (36x20).
    directory = mkdtempSync(join(tmpdir(), 'image-probe-spec-'));
    try {
      for (const name of ['x.png', 'x.jpg']) {
        execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=37x21,format=rgb24', '-frames:v', '1', '-y', join(directory, name)]);
      }
    } catch {
      available = false;
    }
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('reads a real PNG', (t) => {
    if (!available) return t.skip('ffmpeg not available');
    assert.deepEqual(probeImage(readFileSync(join(directory, 'x.png'))), { mimeType: 'image/png', extension: 'png', width: 37, height: 21 });
  });

  it('reads a real JPEG', (t) => {
    if (!available) return t.skip('ffmpeg not available');
    assert.deepEqual(probeImage(readFileSync(join(directory, 'x.jpg'))), { mimeType: 'image/jpeg', extension: 'jpg', width: 37, height: 21 });
  });
});
