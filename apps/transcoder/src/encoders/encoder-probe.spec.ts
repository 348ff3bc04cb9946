import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EncoderKind } from '@streamcaster/contracts';
import { layoutProgram } from '../composition/overlay-layout.js';
import { chooseEncoder, framesEncoded, PROBE_ORDER, probeArgs, probeMedia, probeMediaArgs, type ProbeRunner } from './encoder-probe.js';
import type { EncoderChoice, ProgramProfile } from './encoder-profile.js';
import { buildTranscodeArgs } from './transcode-args.js';

const PROFILE: ProgramProfile = { width: 1920, height: 1080, fps: 30, videoBitrateKbps: 6000, audioBitrateKbps: 160, keyframeSeconds: 2, x264Preset: 'veryfast' };
const MEDIA = probeMedia('/var/scratch/transcoder/encoder-probe-abc123', PROFILE);
const OPTIONS = { ffmpegPath: '/opt/ffmpeg/bin/ffmpeg', vaapiDevice: '/dev/dri/renderD129', profile: PROFILE, media: MEDIA };
const CHOICES: Record<EncoderKind, EncoderChoice> = {
  nvenc: { kind: 'nvenc' },
  vaapi: { kind: 'vaapi', device: '/dev/dri/renderD129' },
  qsv: { kind: 'qsv' },
  libx264: { kind: 'libx264' },
};

/** Which encoder a probe command tests, read from its -c:v. */
function kindOf(args: string[]): EncoderKind {
  const codec = args[args.indexOf('-c:v') + 1];
  const kinds: Record<string, EncoderKind> = { h264_nvenc: 'nvenc', h264_vaapi: 'vaapi', h264_qsv: 'qsv', libx264: 'libx264' };
  const kind = codec === undefined ? undefined : kinds[codec];
  assert.ok(kind, `unexpected probe codec ${codec}`);
  return kind;
}

/** A fake runner: only the listed encoders work; records which were probed, in order, and with which ffmpeg. */
function fakeRunner(working: EncoderKind[]) {
  const probed: EncoderKind[] = [];
  const paths: string[] = [];
  const run: ProbeRunner = async (ffmpegPath, args) => {
    paths.push(ffmpegPath);
    const kind = kindOf(args);
    probed.push(kind);
    return working.includes(kind) ? { ok: true, detail: '' } : { ok: false, detail: `${kind} unavailable` };
  };
  return { run, probed, paths };
}

describe('chooseEncoder (auto)', () => {
  it('probes nvenc, vaapi, qsv, libx264 in this order', () => {
    assert.deepEqual(PROBE_ORDER, ['nvenc', 'vaapi', 'qsv', 'libx264']);
  });

  it('takes nvenc when it works, probing nothing else', async () => {
    const fake = fakeRunner(['nvenc', 'vaapi', 'qsv', 'libx264']);
    const report = await chooseEncoder('auto', OPTIONS, fake.run);
    assert.deepEqual(report, { choice: { kind: 'nvenc' }, skipped: [] });
    assert.deepEqual(fake.probed, ['nvenc']);
    assert.deepEqual(fake.paths, [OPTIONS.ffmpegPath]);
  });

  it('takes vaapi with its device when nvenc fails, reporting why nvenc was skipped', async () => {
    const fake = fakeRunner(['vaapi', 'libx264']);
    const report = await chooseEncoder('auto', OPTIONS, fake.run);
    assert.deepEqual(report, { choice: { kind: 'vaapi', device: '/dev/dri/renderD129' }, skipped: [{ kind: 'nvenc', reason: 'nvenc unavailable' }] });
    assert.deepEqual(fake.probed, ['nvenc', 'vaapi']);
  });

  it('takes qsv when only qsv and libx264 work', async () => {
    const fake = fakeRunner(['qsv', 'libx264']);
    const report = await chooseEncoder('auto', OPTIONS, fake.run);
    assert.deepEqual(report.choice, { kind: 'qsv' });
    assert.deepEqual(report.skipped.map((entry) => entry.kind), ['nvenc', 'vaapi']);
  });

  it('falls back to libx264, with the three GPU encoders skipped and their reasons', async () => {
    const fake = fakeRunner(['libx264']);
    const report = await chooseEncoder('auto', OPTIONS, fake.run);
    assert.deepEqual(report, {
      choice: { kind: 'libx264' },
      skipped: [
        { kind: 'nvenc', reason: 'nvenc unavailable' },
        { kind: 'vaapi', reason: 'vaapi unavailable' },
        { kind: 'qsv', reason: 'qsv unavailable' },
      ],
    });
    assert.deepEqual(fake.probed, ['nvenc', 'vaapi', 'qsv', 'libx264']);
  });

  it('throws, naming every reason, when nothing works', async () => {
    const fake = fakeRunner([]);
    await assert.rejects(chooseEncoder('auto', OPTIONS, fake.run), {
      message: 'no working H.264 encoder (nvenc: nvenc unavailable; vaapi: vaapi unavailable; qsv: qsv unavailable; libx264: libx264 unavailable)',
    });
    assert.deepEqual(fake.probed, ['nvenc', 'vaapi', 'qsv', 'libx264']);
  });

  it('hands the runner each encoder’s job command on the probe’s media', async () => {
    const seen: string[][] = [];
    const run: ProbeRunner = async (_path, args) => {
      seen.push(args);
      return { ok: false, detail: 'no' };
    };
    await assert.rejects(chooseEncoder('auto', OPTIONS, run));
    assert.deepEqual(seen, PROBE_ORDER.map((kind) => probeArgs(CHOICES[kind], PROFILE, MEDIA)));
  });

  it('falls back when NVENC encodes but the CUDA filters of the job graph are missing', async () => {
    // What ffmpeg answers on a machine whose build or driver lacks overlay_cuda.
    const run: ProbeRunner = async (_path, args) =>
      args.some((arg) => arg.includes('overlay_cuda')) ? { ok: false, detail: "No such filter: 'overlay_cuda'" } : { ok: true, detail: '15 frames' };
    const report = await chooseEncoder('auto', OPTIONS, run);
    assert.deepEqual(report, { choice: CHOICES.vaapi, skipped: [{ kind: 'nvenc', reason: "No such filter: 'overlay_cuda'" }] });
  });

  it('lets a probe that throws propagate instead of picking a worse encoder', async () => {
    const run: ProbeRunner = async () => {
      throw new Error('spawn ENOENT');
    };
    await assert.rejects(chooseEncoder('auto', OPTIONS, run), { message: 'spawn ENOENT' });
  });
});

describe('chooseEncoder (forced)', () => {
  for (const kind of ['nvenc', 'vaapi', 'qsv', 'libx264'] as const) {
    it(`probes only ${kind} and returns it when it works`, async () => {
      const fake = fakeRunner([kind]);
      const report = await chooseEncoder(kind, OPTIONS, fake.run);
      assert.deepEqual(report.choice, kind === 'vaapi' ? { kind, device: OPTIONS.vaapiDevice } : { kind });
      assert.deepEqual(report.skipped, []);
      assert.deepEqual(fake.probed, [kind]);
    });
  }

  it('never falls back from a forced encoder that fails, and names TRANSCODER_ENCODER', async () => {
    const fake = fakeRunner(['nvenc', 'vaapi', 'libx264']);
    await assert.rejects(chooseEncoder('qsv', OPTIONS, fake.run), {
      message: 'TRANSCODER_ENCODER=qsv does not work here (qsv: qsv unavailable)',
    });
    assert.deepEqual(fake.probed, ['qsv']);
  });
});

/** A job's command as the session builds it: another logo, another corner, the DJ's RTMP input. */
function jobArgs(choice: EncoderChoice): string[] {
  return buildTranscodeArgs({
    encoder: choice,
    profile: PROFILE,
    inputUrl: 'rtmp://127.0.0.1:1935/live/dj-42',
    outputUrl: 'rtmp://127.0.0.1:1935/program/broadcast-7',
    layout: layoutProgram(PROFILE, { width: 400, height: 200 }, 'bottom-left'),
    logoPath: '/data/assets/logo.png',
    nameCardPath: '/data/scratch/transcoder/broadcast-7/name-card.png',
  });
}

const valueAfter = (args: string[], flag: string) => args[args.indexOf(flag) + 1]!;
/** Sizes and positions depend on the logo and the corner; everything else must not. */
const withoutNumbers = (graph: string) => graph.replace(/\d+/g, '#');
/** The arguments with the inputs, the output and the graph's numbers blanked out. */
function skeleton(args: string[]): string[] {
  return args.map((arg, index) => {
    if (args[index - 1] === '-i') return '<input>';
    if (args[index - 1] === '-filter_complex') return withoutNumbers(arg);
    return index === args.length - 1 ? '<output>' : arg;
  });
}

describe('probeArgs: the job’s own command on the probe’s media', () => {
  for (const kind of PROBE_ORDER) {
    const choice = CHOICES[kind];
    const args = probeArgs(choice, PROFILE, MEDIA);

    it(`${kind}: is buildTranscodeArgs for the probe's input, stills and layout, into a file of the probe's own`, () => {
      assert.deepEqual(
        args,
        buildTranscodeArgs({
          encoder: choice,
          profile: PROFILE,
          inputUrl: MEDIA.inputPath,
          outputUrl: `${MEDIA.directory}/program-${kind}.flv`,
          layout: MEDIA.layout,
          logoPath: MEDIA.logoPath,
          nameCardPath: MEDIA.nameCardPath,
        }),
      );
      assert.deepEqual(args.filter((_, index) => args[index - 1] === '-i'), [MEDIA.inputPath, MEDIA.logoPath, MEDIA.nameCardPath]);
    });

    it(`${kind}: runs the very filter graph of a job (same filters, same order, same options but sizes and positions)`, () => {
      const probeGraph = valueAfter(args, '-filter_complex');
      const jobGraph = valueAfter(jobArgs(choice), '-filter_complex');
      assert.notEqual(probeGraph, jobGraph, 'the layouts differ, so the numbers must');
      assert.equal(withoutNumbers(probeGraph), withoutNumbers(jobGraph));
    });

    it(`${kind}: has every other argument of a job: hardware init, decode, encoder, rate control, GOP, audio, FLV`, () => {
      assert.deepEqual(skeleton(args), skeleton(jobArgs(choice)));
    });
  }

  it('nvenc: decodes with CUDA and composes with scale_cuda, hwupload_cuda and overlay_cuda before h264_nvenc', () => {
    const args = probeArgs(CHOICES.nvenc, PROFILE, MEDIA);
    assert.equal(valueAfter(args, '-hwaccel'), 'cuda');
    assert.equal(valueAfter(args, '-hwaccel_output_format'), 'cuda');
    const graph = valueAfter(args, '-filter_complex');
    for (const filter of ['scale_cuda=1920:1080', 'hwupload_cuda', 'overlay_cuda']) assert.ok(graph.includes(filter), `${filter} in ${graph}`);
    assert.equal(valueAfter(args, '-c:v'), 'h264_nvenc');
  });

  it('vaapi: the configured render node, scale_vaapi and overlay_vaapi before h264_vaapi', () => {
    const args = probeArgs(CHOICES.vaapi, PROFILE, MEDIA);
    assert.equal(valueAfter(args, '-init_hw_device'), 'vaapi=gpu:/dev/dri/renderD129');
    const graph = valueAfter(args, '-filter_complex');
    for (const filter of ['scale_vaapi=w=1920:h=1080', 'overlay_vaapi']) assert.ok(graph.includes(filter), `${filter} in ${graph}`);
    assert.equal(valueAfter(args, '-c:v'), 'h264_vaapi');
  });

  it('qsv: scale_qsv and overlay_qsv before h264_qsv', () => {
    const args = probeArgs(CHOICES.qsv, PROFILE, MEDIA);
    assert.equal(valueAfter(args, '-hwaccel'), 'qsv');
    const graph = valueAfter(args, '-filter_complex');
    for (const filter of ['scale_qsv=w=1920:h=1080', 'overlay_qsv']) assert.ok(graph.includes(filter), `${filter} in ${graph}`);
    assert.equal(valueAfter(args, '-c:v'), 'h264_qsv');
  });

  it('libx264: letterboxes and overlays in memory, at the profile preset', () => {
    const args = probeArgs(CHOICES.libx264, PROFILE, MEDIA);
    const graph = valueAfter(args, '-filter_complex');
    assert.ok(graph.includes('pad=1920:1080'), graph);
    assert.equal(valueAfter(args, '-preset'), 'veryfast');
  });

  it('writes each encoder’s output to its own file, never over the input', () => {
    const outputs = PROBE_ORDER.map((kind) => probeArgs(CHOICES[kind], PROFILE, MEDIA).at(-1));
    assert.equal(new Set(outputs).size, PROBE_ORDER.length);
    for (const output of outputs) assert.ok(output?.startsWith(`${MEDIA.directory}/`) && output !== MEDIA.inputPath, output);
  });
});

describe('probeMedia and probeMediaArgs', () => {
  const args = probeMediaArgs(MEDIA);

  it('lays the probe out with a logo, so that the logo chain is probed too', () => {
    assert.ok(MEDIA.layout.logo);
    assert.deepEqual(MEDIA.layout, layoutProgram(PROFILE, { width: 64, height: 32 }, 'top-right'));
  });

  it('writes an H.264 + AAC FLV input (what a DJ sends), the logo and a name card of the card’s size', () => {
    const outputs = args.filter((_, index) => args[index - 1] === '-y');
    assert.deepEqual(outputs, [MEDIA.inputPath, MEDIA.logoPath, MEDIA.nameCardPath]);
    assert.equal(valueAfter(args, '-c:v'), 'libx264');
    assert.equal(valueAfter(args, '-c:a'), 'aac');
    assert.equal(args[args.indexOf(MEDIA.inputPath) - 2], 'flv');
    const card = MEDIA.layout.nameCard;
    assert.ok(args.some((arg) => arg.startsWith('color=') && arg.includes(`s=${card.width}x${card.height}:`)), 'name card size');
  });

  it('uses only finite sources, so that the run ends by itself', () => {
    const sources = args.filter((_, index) => args[index - 1] === '-i');
    assert.equal(sources.length, 4);
    for (const source of sources) assert.match(source, /:(d|duration)=[\d.]+/);
  });
});

describe('framesEncoded', () => {
  it('reads the frame count of the last -progress block', () => {
    assert.equal(framesEncoded('frame=3\nfps=0.0\nprogress=continue\nframe=15\nfps=30\nprogress=end\n'), 15);
  });
  it('is 0 without progress output', () => {
    assert.equal(framesEncoded(''), 0);
    assert.equal(framesEncoded('frame=abc\n'), 0);
  });
});
