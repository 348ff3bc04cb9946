import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runOnce } from '@streamcaster/supervisor';
import { layoutProgram } from '../src/composition/overlay-layout.js';
import { renderNameCard } from '../src/composition/name-card.js';
import type { ProgramProfile } from '../src/encoders/encoder-profile.js';
import { buildTranscodeArgs } from '../src/encoders/transcode-args.js';
import { readFlvTags } from '../src/program/flv.js';
import { renderSlate, type SlateOptions } from '../src/program/slate.js';

/**
 * The slate against the DJ's encode, with the real ffmpeg: a splice between them only works when
 * their H.264 and AAC sequence headers are the same bytes, whatever colour tags the DJ's input has.
 */

const PROFILE: ProgramProfile = { width: 640, height: 360, fps: 30, videoBitrateKbps: 1200, audioBitrateKbps: 128, keyframeSeconds: 2, x264Preset: 'veryfast' };
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';
const LAYOUT = layoutProgram({ width: PROFILE.width, height: PROFILE.height }, null, 'top-right');

let work: string;

function slateOptions(message: string): SlateOptions {
  return {
    encoder: { kind: 'libx264' },
    profile: PROFILE,
    layout: LAYOUT,
    logoPath: null,
    fontFile: FONT,
    audioLoopPath: null,
    ffmpegPath: 'ffmpeg',
    directory: work,
    cacheDirectory: join(work, 'slates'),
    text: { organizationName: 'Club Slate', message, lastTrack: null },
  };
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'streamcaster-slate-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the slate', { timeout: 120_000 }, () => {
  it("has the DJ encode's sequence headers, byte for byte, though the DJ's input is tagged BT.601 full range", async () => {
    const slate = await renderSlate(slateOptions('DJ Slate will be right back'));
    // A DJ as a phone or a capture card sends it: other colour tags, another size and rate.
    const input = join(work, 'dj.flv');
    const made = await runOnce('ffmpeg', [
      '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=1280x720:r=25', '-f', 'lavfi', '-i', 'sine=f=440:r=44100', '-t', '2',
      '-c:v', 'libx264', '-pix_fmt', 'yuvj420p', '-color_primaries', 'smpte170m', '-color_trc', 'smpte170m', '-colorspace', 'smpte170m', '-color_range', 'pc',
      '-c:a', 'aac', '-f', 'flv', '-y', input,
    ]);
    assert.equal(made.code, 0, made.stderr);
    const nameCardPath = await renderNameCard({ ffmpegPath: 'ffmpeg', fontFile: FONT, djName: 'DJ Slate', layout: LAYOUT, directory: work });
    const output = join(work, 'program.flv');
    const args = buildTranscodeArgs({ encoder: { kind: 'libx264' }, profile: PROFILE, inputUrl: input, outputUrl: output, layout: LAYOUT, logoPath: null, nameCardPath });
    const encoded = await runOnce('ffmpeg', args, 60_000);
    assert.equal(encoded.code, 0, encoded.stderr);
    const program = readFlvTags(await readFile(output));
    const programVideo = program.find((tag) => tag.kind === 'video-header');
    const programAudio = program.find((tag) => tag.kind === 'audio-header');
    assert.ok(programVideo && programAudio, 'the DJ encode has no sequence headers');
    assert.deepEqual(slate.videoHeader.data, programVideo.data, 'the H.264 sequence headers (SPS/PPS) differ');
    assert.deepEqual(slate.audioHeader?.data, programAudio.data, 'the AAC sequence headers differ');
    assert.equal(slate.tags[0]!.kind, 'keyframe');
    assert.equal(slate.durationMs, 8_000, 'an 8 s loop of whole GOPs');
    // The slate spends the program's bitrate (a still picture would spend a quarter of a megabit).
    const bytes = slate.tags.filter((tag) => tag.kind === 'keyframe' || tag.kind === 'video').reduce((sum, tag) => sum + tag.data.length, 0);
    const kbps = (bytes * 8) / slate.durationMs;
    assert.ok(kbps > PROFILE.videoBitrateKbps * 0.6, `the slate is ${kbps.toFixed(0)} kb/s for a ${PROFILE.videoBitrateKbps} kb/s program`);
  });

  it('is encoded once per drawing: the same again comes from the shared folder at once, another text makes another', async () => {
    const first = await renderSlate(slateOptions('DJ Cache will be right back'));
    const started = performance.now();
    const again = await renderSlate(slateOptions('DJ Cache will be right back'));
    const tookMs = performance.now() - started;
    assert.ok(tookMs < 1_000, `the cached slate took ${tookMs.toFixed(0)} ms`);
    assert.deepEqual(again.tags.map((tag) => tag.data.length), first.tags.map((tag) => tag.data.length));
    const before = (await readdir(join(work, 'slates'))).length;
    await renderSlate(slateOptions('DJ Cache is coming back'));
    assert.equal((await readdir(join(work, 'slates'))).length, before + 1);
  });
});
