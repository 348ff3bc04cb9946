import { spawn, type ChildProcess } from 'node:child_process';

export interface DjStream {
  process: ChildProcess;
  /** Exit code of the DJ's ffmpeg; a refused key makes it exit non-zero within seconds. */
  exited: Promise<number | null>;
  stderr: () => string;
}

export interface DjStreamOptions {
  /** Frames between keyframes (60). */
  gopFrames?: number;
  /** The flat colour of the picture, as ffmpeg spells colours (0x203040). */
  colour?: string;
  /** Picture size (1280x720). */
  size?: string;
  /** Frame rate (30). */
  fps?: number;
}

/**
 * Publishes as OBS would: H.264 + AAC over RTMP in real time (-re), for `seconds`. The picture is
 * one flat colour so that the logo's pixels can be told apart from the DJ's.
 */
export function publishAsDj(url: string, seconds: number, options: DjStreamOptions = {}): DjStream {
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    '-re',
    '-f', 'lavfi', '-i', `color=c=${options.colour ?? '0x203040'}:s=${options.size ?? '1280x720'}:r=${options.fps ?? 30}`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', String(options.gopFrames ?? 60), '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '128k',
    '-f', 'flv', url,
  ];
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { process: child, exited, stderr: () => stderr };
}
