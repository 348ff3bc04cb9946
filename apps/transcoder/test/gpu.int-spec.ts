// The encoders on this machine's real hardware: each GPU test runs where that GPU is and skips, naming
// what is missing, only where it is not; the libx264 fallback runs where no GPU is.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import type { EncoderKind } from '@streamcaster/contracts';
import { DataPaths } from '@streamcaster/service-kit';
import { runOnce } from '@streamcaster/supervisor';
import { createTestEnvironment, lastFrameRgb, meanColour, probeStreams, type TestEnvironment, runServiceUntilExit } from '@streamcaster/testing';
import { renderNameCard } from '../src/composition/name-card.js';
import { layoutProgram } from '../src/composition/overlay-layout.js';
import { loadTranscoderConfig, type TranscoderConfig } from '../src/config/transcoder.config.js';
import { PROBE_ORDER, probeEncoders } from '../src/encoders/encoder-probe.js';
import type { EncoderChoice, ProgramProfile } from '../src/encoders/encoder-profile.js';
import { EncoderRegistry } from '../src/encoders/encoder-registry.js';
import { buildTranscodeArgs } from '../src/encoders/transcode-args.js';

type GpuKind = Exclude<EncoderKind, 'libx264'>;
const GPU_KINDS: readonly GpuKind[] = ['nvenc', 'vaapi', 'qsv'];
const RENDER_NODE = '/dev/dri/renderD128';
const PROFILE: ProgramProfile = { width: 1280, height: 720, fps: 30, videoBitrateKbps: 3000, audioBitrateKbps: 128, keyframeSeconds: 2, x264Preset: 'veryfast' };
const JOB_SECONDS = 3;
const DJ_COLOUR: [number, number, number] = [0x20, 0x30, 0x40];
const LOGO = { width: 200, height: 100 };

function ffmpegHasEncoder(name: string): boolean {
  const listed = spawnSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' });
  return listed.status === 0 && new RegExp(`\\s${name}\\s`).test(listed.stdout);
}

/** The PCI vendor of the render node's GPU (0x8086 Intel, 0x1002 AMD, 0x10de NVIDIA), or null if unknown. */
function renderNodeVendor(): string | null {
  try {
    return readFileSync('/sys/class/drm/renderD128/device/vendor', 'utf8').trim();
  } catch {
    return null;
  }
}

const VENDOR_NAMES: Record<string, string> = { '0x8086': 'Intel', '0x1002': 'AMD', '0x10de': 'NVIDIA' };

/** Why this machine has no hardware for an encoder, or null when it has (then the test must run). */
function missingHardware(kind: GpuKind): string | null {
  if (kind === 'nvenc') {
    if (!existsSync('/dev/nvidia0')) return 'no NVIDIA GPU: /dev/nvidia0 is missing';
    const smi = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8' });
    if (smi.status !== 0 && !ffmpegHasEncoder('h264_nvenc')) return '/dev/nvidia0 exists, but nvidia-smi does not work and ffmpeg has no h264_nvenc';
    return null;
  }
  if (!existsSync(RENDER_NODE)) return `no GPU render node: ${RENDER_NODE} is missing`;
  const vendor = renderNodeVendor();
  // Unknown vendor (no sysfs): the node exists, so the test runs.
  if (vendor === null) return null;
  const vendorName = VENDOR_NAMES[vendor] ?? `PCI vendor ${vendor}`;
  if (kind === 'vaapi' && vendor !== '0x8086' && vendor !== '0x1002') return `${RENDER_NODE} is an ${vendorName} device, which has no VAAPI H.264 encoder`;
  if (kind === 'qsv' && vendor !== '0x8086') return `${RENDER_NODE} is an ${vendorName} device; QSV needs an Intel GPU`;
  return null;
}

const MISSING = Object.fromEntries(GPU_KINDS.map((kind) => [kind, missingHardware(kind)])) as Record<GpuKind, string | null>;
const PRESENT = GPU_KINDS.filter((kind) => MISSING[kind] === null);
/** What `auto` must choose here: the first GPU encoder of the probe order that this machine has. */
const BEST_GPU = PROBE_ORDER.find((kind): kind is GpuKind => kind !== 'libx264' && PRESENT.includes(kind));
const NO_GPU_REASON = `no GPU: ${GPU_KINDS.map((kind) => `${kind}: ${MISSING[kind]}`).join('; ')}`;

let env: TestEnvironment;
let config: TranscoderConfig;
let clipPath: string;
let logoPath: string;

function choiceFor(kind: EncoderKind): EncoderChoice {
  return kind === 'vaapi' ? { kind, device: config.vaapiDevice } : { kind };
}

function probe(wanted: EncoderKind | 'auto') {
  return probeEncoders(wanted, { ffmpegPath: config.ffmpegPath, vaapiDevice: config.vaapiDevice, profile: PROFILE, scratchDir: join(env.dataDir, 'probe') });
}

/** The decoded video of a file: its stream, how many frames decode, and which of them are keyframes. */
async function decodeVideo(path: string): Promise<{ codec: string; width: number; height: number; frames: number; keyframes: number[] }> {
  const result = await runOnce('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height:frame=key_frame', '-of', 'json', path], 60_000);
  assert.equal(result.code, 0, `ffprobe ${path}: ${result.stderr}`);
  const parsed = JSON.parse(result.stdout) as { streams: Array<{ codec_name: string; width: number; height: number }>; frames: Array<{ key_frame: number }> };
  const stream = parsed.streams[0];
  assert.ok(stream, `no video stream in ${path}`);
  const keyframes = parsed.frames.flatMap((frame, index) => (frame.key_frame === 1 ? [index] : []));
  return { codec: stream.codec_name, width: stream.width, height: stream.height, frames: parsed.frames.length, keyframes };
}

/** Runs the compiled transcoder as `npm start` would, in this test's environment, until it exits. */
function runTranscoderProcess(overrides: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return runServiceUntilExit(fileURLToPath(new URL('../src/main.js', import.meta.url)), { ...env.env, ...overrides }, 60_000);
}

before(async () => {
  Logger.overrideLogger(['error', 'warn']);
  env = await createTestEnvironment('transcodergpu');
  config = loadTranscoderConfig({ ...env.env, TRANSCODER_ENCODER: 'auto' });
  const media = join(env.dataDir, 'media');
  await mkdir(media, { recursive: true });
  // The DJ: H.264 + AAC in FLV as OBS sends it, one flat colour so that the overlays stand out.
  clipPath = join(media, 'dj.flv');
  logoPath = join(media, 'logo.png');
  const colour = DJ_COLOUR.map((value) => value.toString(16).padStart(2, '0')).join('');
  const made = await runOnce('ffmpeg', [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    '-f', 'lavfi', '-i', `color=c=0x${colour}:s=1280x720:r=30:d=${JOB_SECONDS}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${JOB_SECONDS}`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-g', '30', '-pix_fmt', 'yuv420p', '-c:a', 'aac',
    '-f', 'flv', '-y', clipPath,
  ], 60_000);
  assert.equal(made.code, 0, made.stderr);
  const logo = await runOnce('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `color=c=red:s=${LOGO.width}x${LOGO.height}`, '-frames:v', '1', '-y', logoPath]);
  assert.equal(logo.code, 0, logo.stderr);
});

after(async () => {
  await env?.dispose();
});

describe('GPU encoders on this machine', () => {
  for (const kind of GPU_KINDS) {
    it(`${kind}: passes the probe with the job's graph, and encodes a short job that decodes back as H.264 at the profile size, every frame, a keyframe every 2 s`, { skip: MISSING[kind] ?? false }, async () => {
      const report = await probe(kind);
      assert.deepEqual(report.choice, choiceFor(kind));

      // The job, as a session runs it: the name card rendered with the real font, logo and card on the GPU.
      const scratch = join(env.dataDir, `job-${kind}`);
      await mkdir(scratch, { recursive: true });
      const layout = layoutProgram(PROFILE, LOGO, 'top-right');
      const nameCardPath = await renderNameCard({ ffmpegPath: config.ffmpegPath, fontFile: config.fontFile, djName: 'DJ Silicon', layout, directory: scratch });
      const outputPath = join(scratch, 'program.flv');
      const args = buildTranscodeArgs({ encoder: report.choice, profile: PROFILE, inputUrl: clipPath, outputUrl: outputPath, layout, logoPath, nameCardPath });
      const encoded = await runOnce(config.ffmpegPath, args, 120_000);
      assert.equal(encoded.code, 0, `the job's ffmpeg with ${kind} failed: ${encoded.stderr}`);

      const video = await decodeVideo(outputPath);
      assert.deepEqual({ codec: video.codec, width: video.width, height: video.height }, { codec: 'h264', width: PROFILE.width, height: PROFILE.height });
      const expectedFrames = JOB_SECONDS * PROFILE.fps;
      assert.ok(Math.abs(video.frames - expectedFrames) <= 2, `${video.frames} frames decoded, expected ${expectedFrames} ± 2`);
      const gop = PROFILE.fps * PROFILE.keyframeSeconds;
      assert.deepEqual(video.keyframes, [0, gop], `keyframes at ${video.keyframes.join(', ')}`);
      const audio = (await probeStreams(outputPath)).find((stream) => stream.codec_type === 'audio');
      assert.deepEqual(audio && { codec: audio.codec_name, sampleRate: audio.sample_rate }, { codec: 'aac', sampleRate: '48000' });

      // The GPU overlays really composed: the logo where the layout puts it, the DJ's picture elsewhere.
      const frame = await lastFrameRgb(outputPath, PROFILE.width, PROFILE.height);
      const box = layout.logo!;
      const inset = 4;
      const logoMean = meanColour(frame, PROFILE.width, { x: box.x + inset, y: box.y + inset, width: box.width - 2 * inset, height: box.height - 2 * inset });
      assert.ok(logoMean[0] > 200 && logoMean[1] < 60 && logoMean[2] < 60, `logo box mean colour ${logoMean.map(Math.round).join(',')} is not red`);
      const middle = meanColour(frame, PROFILE.width, { x: PROFILE.width / 2 - 40, y: PROFILE.height / 2 - 40, width: 80, height: 80 });
      assert.ok(middle.every((value, channel) => Math.abs(value - DJ_COLOUR[channel]!) <= 20), `middle mean colour ${middle.map(Math.round).join(',')}`);
    });
  }

  it('auto: chooses the best GPU encoder this machine has, over libx264', { skip: BEST_GPU ? false : NO_GPU_REASON }, async () => {
    const report = await probe('auto');
    assert.deepEqual(report.choice, choiceFor(BEST_GPU!));
    assert.deepEqual(report.skipped.map((skipped) => skipped.kind), PROBE_ORDER.slice(0, PROBE_ORDER.indexOf(BEST_GPU!)));
    const registry = new EncoderRegistry({ ...config, width: PROFILE.width, height: PROFILE.height }, new DataPaths(env.dataDir));
    assert.equal((await registry.choice()).kind, BEST_GPU);
  });

  it('auto: probes NVENC, VAAPI and QSV first and falls back to libx264 on a machine without a GPU', { skip: BEST_GPU ? `this machine has a GPU (${PRESENT.join(', ')})` : false }, async () => {
    const report = await probe('auto');
    assert.deepEqual(report.choice, { kind: 'libx264' });
    assert.deepEqual(report.skipped.map((skipped) => skipped.kind), ['nvenc', 'vaapi', 'qsv']);
    for (const skipped of report.skipped) assert.ok(skipped.reason.length > 0, `${skipped.kind} is skipped with a reason`);
    assert.deepEqual(await new EncoderRegistry(config, new DataPaths(env.dataDir)).choice(), { kind: 'libx264' });
    for (const folder of [join(env.dataDir, 'probe'), join(env.dataDir, 'scratch', 'transcoder')]) {
      const left = (await readdir(folder)).filter((name) => name.startsWith('encoder-probe-'));
      assert.deepEqual(left, [], `every probe removes its media from ${folder}`);
    }
  });

  const ABSENT = GPU_KINDS.find((kind) => MISSING[kind] !== null);
  it('refuses to start when a forced GPU encoder does not work here, naming TRANSCODER_ENCODER', { skip: ABSENT ? false : 'every GPU encoder has its hardware here' }, async () => {
    const run = await runTranscoderProcess({ TRANSCODER_ENCODER: ABSENT! });
    assert.equal(run.code, 1, `exit code; output:\n${run.output}`);
    assert.match(run.output, new RegExp(`TRANSCODER_ENCODER=${ABSENT} does not work here \\(${ABSENT}: `));
    assert.ok(!run.output.includes('transcoder is ready'), 'it never said it was ready');
  });
});
