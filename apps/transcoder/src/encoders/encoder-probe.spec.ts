import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EncoderKind } from '@streamcaster/contracts';
import { chooseEncoder, PROBE_ORDER, probeArgs, type ProbeRunner } from './encoder-probe.js';

const OPTIONS = { ffmpegPath: '/opt/ffmpeg/bin/ffmpeg', vaapiDevice: '/dev/dri/renderD129' };

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

describe('probeArgs', () => {
  const tail = ['-frames:v', '3', '-f', 'null', '-'];
  for (const kind of PROBE_ORDER) {
    it(`${kind}: a tiny lavfi source, a few frames, discarded`, () => {
      const args = probeArgs(kind, '/dev/dri/renderD129');
      assert.deepEqual(args.slice(-tail.length), tail);
      assert.equal(args[args.indexOf('-f') + 1], 'lavfi');
      assert.match(args[args.indexOf('-i') + 1]!, /^color=.*:d=0\.2$/);
      assert.ok(args.includes('-nostdin'));
    });
  }

  it('nvenc: CUDA device, upload to CUDA, h264_nvenc', () => {
    const args = probeArgs('nvenc', '/dev/dri/renderD129');
    assert.equal(args[args.indexOf('-init_hw_device') + 1], 'cuda=gpu:0');
    assert.equal(args[args.indexOf('-vf') + 1], 'format=nv12,hwupload_cuda');
    assert.equal(args[args.indexOf('-c:v') + 1], 'h264_nvenc');
  });

  it('vaapi: the given render node, hwupload, h264_vaapi', () => {
    const args = probeArgs('vaapi', '/dev/dri/renderD129');
    assert.equal(args[args.indexOf('-init_hw_device') + 1], 'vaapi=gpu:/dev/dri/renderD129');
    assert.equal(args[args.indexOf('-filter_hw_device') + 1], 'gpu');
    assert.equal(args[args.indexOf('-vf') + 1], 'format=nv12,hwupload');
    assert.equal(args[args.indexOf('-c:v') + 1], 'h264_vaapi');
  });

  it('qsv: a QSV device, hwupload with extra frames, h264_qsv', () => {
    const args = probeArgs('qsv', '/dev/dri/renderD129');
    assert.equal(args[args.indexOf('-init_hw_device') + 1], 'qsv=gpu:hw');
    assert.equal(args[args.indexOf('-vf') + 1], 'format=nv12,hwupload=extra_hw_frames=16');
    assert.equal(args[args.indexOf('-c:v') + 1], 'h264_qsv');
  });

  it('libx264: no hardware device, no filter, ultrafast', () => {
    const args = probeArgs('libx264', '/dev/dri/renderD129');
    assert.equal(args.includes('-init_hw_device'), false);
    assert.equal(args.includes('-vf'), false);
    assert.equal(args[args.indexOf('-c:v') + 1], 'libx264');
    assert.equal(args[args.indexOf('-preset') + 1], 'ultrafast');
  });
});
