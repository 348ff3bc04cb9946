export interface ImageInfo {
  mimeType: 'image/png' | 'image/jpeg';
  extension: 'png' | 'jpg';
  width: number;
  height: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Identifies a PNG or JPEG by its content (never by the file name or the client's content type) and
 * reads its dimensions from the header. Returns a reason when the bytes are not such an image.
 */
export function probeImage(bytes: Buffer): ImageInfo | { problem: string } {
  if (bytes.length >= 24 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    if (bytes.toString('latin1', 12, 16) !== 'IHDR') return { problem: 'PNG file has no IHDR header; it is damaged' };
    return dimensions('image/png', 'png', bytes.readUInt32BE(16), bytes.readUInt32BE(20));
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return probeJpeg(bytes);
  return { problem: 'file is not a PNG or JPEG image' };
}

function probeJpeg(bytes: Buffer): ImageInfo | { problem: string } {
  // Walk the marker segments to the first start-of-frame, which holds the dimensions.
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) return { problem: 'JPEG file is damaged (bad marker)' };
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    const length = bytes.readUInt16BE(offset + 2);
    const isStartOfFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isStartOfFrame) return dimensions('image/jpeg', 'jpg', bytes.readUInt16BE(offset + 7), bytes.readUInt16BE(offset + 5));
    offset += 2 + length;
  }
  return { problem: 'JPEG file has no frame header; it is damaged or truncated' };
}

function dimensions(mimeType: ImageInfo['mimeType'], extension: ImageInfo['extension'], width: number, height: number): ImageInfo | { problem: string } {
  if (width < 1 || height < 1) return { problem: `image has no pixels (${width}x${height})` };
  if (width > 8192 || height > 8192) return { problem: `image is ${width}x${height}; at most 8192x8192 is accepted` };
  return { mimeType, extension, width, height };
}
