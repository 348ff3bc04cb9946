import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lastLine, runOnce, SupervisedProcess } from '@streamcaster/supervisor';
import { RtmpServer } from '@streamcaster/testing';
import { probeMedia, probeStills } from '../src/encoders/encoder-probe.js';
import { buildTranscodeArgs } from '../src/encoders/transcode-args.js';
import { VjDirector, type VjEvent } from '../src/vj/vj-director.js';
import { vjLooks } from '../src/vj/vj-picture.js';

/**
 * The automated VJ on the beat, with the real encoder: a DJ sends sound alone (kicks at a known
 * tempo) through nginx-rtmp, the transcoder's own command draws and encodes the picture, the
 * director follows the beat and queues its looks on the phrase grid. The program is decoded
 * afterwards: its colours jump exactly where the director said, on the beats it detected, and the
 * picture flashes on every beat.
 */

const PROFILE = { width: 640, height: 360, fps: 30, videoBitrateKbps: 2500, audioBitrateKbps: 128, keyframeSeconds: 2, x264Preset: 'veryfast' as const };
const BPM = 124;
const PERIOD = 60 / BPM;
/** The first kick of the test signal; every kick after it is one PERIOD on. */
const FIRST_KICK = 0.37;
const SECONDS = 44;
const PHRASE_BEATS = 8;
const FRAME = 1 / PROFILE.fps;
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';

/** What the decoded program looks like, frame by frame: its hue (the angle of its colours) and brightness. */
interface FrameColour {
  time: number;
  hue: number | null;
  luma: number;
}

let work: string;
let rtmp: RtmpServer;
const events: VjEvent[] = [];
let frames: FrameColour[] = [];

describe('the automated VJ follows the beat of a sound-only DJ', { timeout: 180_000 }, () => {
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'vj-director-'));
    rtmp = await RtmpServer.start(join(work, 'nginx'));

    // A kick on every beat at 124 BPM, a hi-hat between, a quiet pad: sound only, as Traktor or OBS sends it.
    const kick = `0.8*sin(2*PI*55*mod(t-${FIRST_KICK},${PERIOD}))*exp(-18*mod(t-${FIRST_KICK},${PERIOD}))*gte(t,${FIRST_KICK})`;
    const hat = `0.12*(2*random(0)-1)*exp(-60*mod(t-${FIRST_KICK}-${PERIOD / 2},${PERIOD}))*gte(t,${FIRST_KICK + PERIOD / 2})`;
    const pad = '0.06*sin(2*PI*220*t)+0.05*sin(2*PI*277*t)';
    const signal = join(work, 'dj.flv');
    const made = await runOnce('ffmpeg', [
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      '-f', 'lavfi', '-i', `aevalsrc=exprs='${kick}+${hat}+${pad}':s=48000:c=stereo:d=${SECONDS}`,
      '-c:a', 'aac', '-b:a', '160k', '-f', 'flv', '-y', signal,
    ]);
    assert.equal(made.code, 0, lastLine(made.stderr));

    const media = probeMedia(work, PROFILE);
    const stills = probeStills(media, 0);
    const drawn = await runOnce('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', ...stills.inputs, ...stills.outputs]);
    assert.equal(drawn.code, 0, lastLine(drawn.stderr));
    const nowPlaying = join(work, 'now-playing.txt');
    await writeFile(nowPlaying, '', 'utf8');

    let encoder: SupervisedProcess | null = null;
    const director = new VjDirector({
      scene: () => 'spectrum',
      looks: vjLooks('rainbow'),
      beatsPerPhrase: PHRASE_BEATS,
      send: (text) => encoder?.write(text) ?? false,
      onEvent: (event) => events.push(event),
    });
    const directorUrl = await director.listen();
    const programPath = join(work, 'program.flv');
    encoder = new SupervisedProcess({
      name: 'vj-encoder',
      command: 'ffmpeg',
      args: buildTranscodeArgs({
        encoder: { kind: 'libx264' },
        inputKind: 'audio-only',
        vjScene: 'spectrum',
        vjDirectorUrl: directorUrl,
        profile: PROFILE,
        inputUrl: `${rtmp.url}/live/vj-dj`,
        outputUrl: programPath,
        layout: media.layout,
        logoPath: media.logoPath,
        nameCardPath: media.nameCardPath,
        nowPlaying: { file: nowPlaying, fontFile: FONT },
      }),
      restart: 'never',
      stopSignal: 'SIGINT',
      stopTimeoutMs: 10_000,
    });
    await encoder.start();
    // The DJ goes on air at real time, as a live source does.
    const dj = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-i', signal, '-c', 'copy', '-f', 'flv', `${rtmp.url}/live/vj-dj`], { stdio: 'ignore' });
    await new Promise<void>((resolve) => dj.once('exit', () => resolve()));
    // The encoder ends with its input; SIGINT would cut it short if it did not.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await encoder.stop();
    await director.close();

    frames = await decodeColours(programPath);
  });

  after(async () => {
    await rtmp?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('finds the tempo and the kicks: 124 BPM, its beats on the kicks of the signal', () => {
    const locked = events.find((event) => event.kind === 'tempo' && event.change === 'locked');
    assert.ok(locked && locked.kind === 'tempo', `no tempo was found: ${JSON.stringify(events)}`);
    assert.ok(Math.abs(locked.bpm! - BPM) < 0.5, `tempo ${locked.bpm}`);
    assert.ok(locked.at < 12, `found after ${locked.at} s`);
    const looks = onBeat();
    assert.ok(looks.length >= 2, `looks on the beat: ${JSON.stringify(events)}`);
    for (const look of looks) {
      // The program's sound is the DJ's AAC decoded once more: its 1024 samples of encoder delay
      // (21 ms at 48 kHz) come before the first kick. The beat found is within 10 ms of that.
      const kick = nearestKick(look.at - 1024 / 48_000);
      assert.ok(Math.abs(kick.error) <= 0.01, `look at ${look.at.toFixed(3)} s is ${(kick.error * 1000).toFixed(1)} ms from kick ${kick.index}`);
    }
  });

  it('changes the look on phrase starts: every 8 beats of the grid, never between', () => {
    const looks = onBeat();
    for (const look of looks) assert.equal(look.beat! % PHRASE_BEATS, 0, `beat ${look.beat}`);
    for (let at = 1; at < looks.length; at++) {
      const apart = looks[at]!.at - looks[at - 1]!.at;
      const phrases = Math.round(apart / (PERIOD * PHRASE_BEATS));
      assert.ok(phrases >= 1 && Math.abs(apart - phrases * PERIOD * PHRASE_BEATS) < 0.02, `${apart.toFixed(3)} s between looks`);
    }
  });

  it('puts each look on the picture on the frame of its beat (within one frame), and nowhere else', () => {
    const looks = events.filter((event): event is Extract<VjEvent, { kind: 'look' }> => event.kind === 'look');
    const jumps = hueJumps(frames);
    const lastFrame = frames.at(-1)!.time;
    for (const look of looks.filter((look) => look.at < lastFrame)) {
      const jump = jumps.find((time) => Math.abs(time - look.at) <= FRAME + 1e-6);
      assert.ok(jump !== undefined, `no colour change within a frame of ${look.at.toFixed(3)} s (changes at ${jumps.map((time) => time.toFixed(3)).join(', ')})`);
    }
    for (const jump of jumps) {
      assert.ok(
        looks.some((look) => Math.abs(jump - look.at) <= FRAME + 1e-6),
        `a colour change at ${jump.toFixed(3)} s that no look asked for`,
      );
    }
  });

  it('flashes on every beat of the grid it found: the frame of a beat is brighter than the frame half a beat on', () => {
    const onKick: number[] = [];
    const between: number[] = [];
    for (const look of onBeat()) {
      const { period, anchor } = look.grid!;
      // The beats of this phrase (the accent follows the grid the look was queued on).
      for (let beat = 1; beat < PHRASE_BEATS; beat++) {
        const time = anchor + (look.beat! + beat) * period;
        const frame = frames.find((frame) => frame.time >= time - 1e-6);
        const half = frames.find((frame) => frame.time >= time + period / 2 - 1e-6);
        if (!frame || !half) continue;
        onKick.push(frame.luma);
        between.push(half.luma);
      }
    }
    assert.ok(onKick.length >= 14, `${onKick.length} beats`);
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    // hue's b 0.9 lifts every pixel by about 20 of 255 at the beat, fading to nothing by the half beat.
    assert.ok(mean(onKick) > mean(between) + 10, `on a beat ${mean(onKick).toFixed(1)}, half a beat on ${mean(between).toFixed(1)}`);
  });
});

function onBeat(): Array<Extract<VjEvent, { kind: 'look' }>> {
  return events.filter((event): event is Extract<VjEvent, { kind: 'look' }> => event.kind === 'look' && event.beat !== null);
}

function nearestKick(time: number): { index: number; error: number } {
  const index = Math.round((time - FIRST_KICK) / PERIOD);
  return { index, error: time - (FIRST_KICK + index * PERIOD) };
}

/** Frame times where the picture's hue turns by more than 45° from one frame to the next. */
function hueJumps(colours: readonly FrameColour[]): number[] {
  const jumps: number[] = [];
  for (let at = 1; at < colours.length; at++) {
    const [before, now] = [colours[at - 1]!.hue, colours[at]!.hue];
    if (before === null || now === null) continue;
    const turn = Math.abs(((now - before + 540) % 360) - 180);
    if (turn > 45) jumps.push(colours[at]!.time);
  }
  return jumps;
}

/** Each frame of the program, small: the mean hue of its coloured pixels and its mean brightness. */
async function decodeColours(path: string): Promise<FrameColour[]> {
  const [width, height] = [160, 90];
  const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', path, '-map', '0:v', '-vf', `scale=${width}:${height}`, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const chunks: Buffer[] = [];
  for await (const chunk of child.stdout) chunks.push(chunk as Buffer);
  const all = Buffer.concat(chunks);
  const size = width * height * 3;
  const colours: FrameColour[] = [];
  for (let offset = 0, index = 0; offset + size <= all.length; offset += size, index++) {
    let x = 0;
    let y = 0;
    let luma = 0;
    for (let pixel = offset; pixel < offset + size; pixel += 3) {
      const [r, g, b] = [all[pixel]!, all[pixel + 1]!, all[pixel + 2]!];
      luma += 0.2126 * r + 0.7152 * g + 0.0722 * b;
      const max = Math.max(r, g, b);
      const min = Math.min(r, g, b);
      if (max < 24 || max - min < 16) continue;
      const hue = rgbHue(r, g, b, max, min);
      x += Math.cos((hue * Math.PI) / 180) * (max - min);
      y += Math.sin((hue * Math.PI) / 180) * (max - min);
    }
    colours.push({ time: index * FRAME, hue: x === 0 && y === 0 ? null : ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360, luma: luma / (width * height) });
  }
  return colours;
}

function rgbHue(r: number, g: number, b: number, max: number, min: number): number {
  const span = max - min;
  if (max === r) return (60 * ((g - b) / span) + 360) % 360;
  if (max === g) return 60 * ((b - r) / span) + 120;
  return 60 * ((r - g) / span) + 240;
}
