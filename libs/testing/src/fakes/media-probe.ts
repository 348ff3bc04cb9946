import { runOnce } from '@streamcaster/supervisor';

export interface StreamInfo {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  sample_rate?: string;
}

export async function probeStreams(path: string): Promise<StreamInfo[]> {
  const result = await runOnce('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,width,height,sample_rate', '-of', 'json', path], 20_000);
  if (result.code !== 0) throw new Error(`ffprobe ${path}: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { streams: StreamInfo[] }).streams;
}

export async function probeDuration(path: string): Promise<number> {
  const result = await runOnce('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], 20_000);
  return Number.parseFloat(result.stdout.trim());
}

/** One decoded frame near the end of a (possibly still growing) file, as RGB24 bytes. */
export function lastFrameRgb(path: string, width: number, height: number): Promise<Buffer> {
  return decodeOneFrame(['-sseof', '-1.5', '-i', path], path, width, height);
}

/** The decoded frame `seconds` into a file, as RGB24 bytes. */
export function frameAtRgb(path: string, seconds: number, width: number, height: number): Promise<Buffer> {
  return decodeOneFrame(['-ss', String(seconds), '-i', path], path, width, height);
}

async function decodeOneFrame(input: string[], path: string, width: number, height: number): Promise<Buffer> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-v', 'error', ...input, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('close', (code) => {
      const frame = Buffer.concat(chunks);
      if (code !== 0 || frame.length !== width * height * 3) reject(new Error(`no ${width}x${height} frame from ${path} (${frame.length} bytes): ${stderr}`));
      else resolve(frame);
    });
  });
}

/** Mean colour of a rectangle of an RGB24 frame. */
export function meanColour(frame: Buffer, width: number, box: { x: number; y: number; width: number; height: number }): [number, number, number] {
  let r = 0;
  let g = 0;
  let b = 0;
  for (let y = box.y; y < box.y + box.height; y += 1) {
    for (let x = box.x; x < box.x + box.width; x += 1) {
      const offset = (y * width + x) * 3;
      r += frame[offset]!;
      g += frame[offset + 1]!;
      b += frame[offset + 2]!;
    }
  }
  const count = box.width * box.height;
  return [r / count, g / count, b / count];
}
