import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EncoderKind } from '@streamcaster/contracts';
import { layoutProgram } from '../composition/overlay-layout.js';
import type { EncoderChoice, ProgramProfile } from './encoder-profile.js';
import { buildTranscodeArgs, type TranscodeArgsInput } from './transcode-args.js';

const PROFILE: ProgramProfile = {
  width: 1280,
  height: 720,
  fps: 30,
  videoBitrateKbps: 4500,
  audioBitrateKbps: 160,
  keyframeSeconds: 2,
  x264Preset: 'veryfast',
};
const LAYOUT = layoutProgram({ width: 1280, height: 720 }, { width: 400, height: 200 }, 'top-right');
const INPUT_URL = 'rtmp://127.0.0.1:1935/live/dj-42';
const OUTPUT_URL = 'rtmp://127.0.0.1:1935/program/broadcast-7';
const ENCODERS: Record<EncoderKind, EncoderChoice> = {
  libx264: { kind: 'libx264' },
  nvenc: { kind: 'nvenc' },
  vaapi: { kind: 'vaapi', device: '/dev/dri/renderD129' },
  qsv: { kind: 'qsv' },
};
const KINDS = Object.keys(ENCODERS) as EncoderKind[];

function build(kind: EncoderKind, overrides: Partial<TranscodeArgsInput> = {}): string[] {
  return buildTranscodeArgs({
    encoder: ENCODERS[kind],
    profile: PROFILE,
    inputUrl: INPUT_URL,
    outputUrl: OUTPUT_URL,
    layout: LAYOUT,
    logoPath: '/data/branding/logo-1.png',
    nameCardPath: '/tmp/broadcast-7/name-card.png',
    ...overrides,
  });
}

/** The value following each occurrence of a flag. */
function valuesOf(args: string[], flag: string): string[] {
  const values: string[] = [];
  args.forEach((arg, index) => {
    if (arg === flag) values.push(args[index + 1]!);
  });
  return values;
}
function valueOf(args: string[], flag: string): string | undefined {
  const values = valuesOf(args, flag);
  assert.ok(values.length <= 1, `${flag} given ${values.length} times`);
  return values[0];
}

interface Chain {
  inputs: string[];
  filters: Array<{ name: string; options: string }>;
  output: string;
}
/** A small parser of the filter_complex syntax this module writes: `[a][b]f1=opts,f2=opts[out];...`. */
function parseGraph(graph: string): Chain[] {
  return graph.split(';').map((text) => {
    const match = /^((?:\[[^\]]+\])+)(.*?)\[([^\]]+)\]$/.exec(text);
    assert.ok(match, `chain not understood: ${text}`);
    const inputs = [...match[1]!.matchAll(/\[([^\]]+)\]/g)].map((label) => label[1]!);
    const filters = match[2]!.split(',').map((filter) => {
      const equals = filter.indexOf('=');
      return equals < 0 ? { name: filter, options: '' } : { name: filter.slice(0, equals), options: filter.slice(equals + 1) };
    });
    return { inputs, filters, output: match[3]! };
  });
}
function graphOf(args: string[]): Chain[] {
  const graph = valueOf(args, '-filter_complex');
  assert.ok(graph, 'no -filter_complex');
  return parseGraph(graph);
}
function optionMap(options: string): Map<string, string> {
  return new Map(options.split(':').filter((pair) => pair.includes('=')).map((pair) => pair.split('=', 2) as [string, string]));
}
function chainTo(chains: Chain[], output: string): Chain {
  const chain = chains.find((candidate) => candidate.output === output);
  assert.ok(chain, `no chain produces [${output}]`);
  return chain;
}
function overlayIn(chain: Chain): { name: string; x: number; y: number } {
  const overlay = chain.filters.find((filter) => filter.name.startsWith('overlay'));
  assert.ok(overlay, `no overlay in chain to [${chain.output}]`);
  const options = optionMap(overlay.options);
  return { name: overlay.name, x: Number(options.get('x')), y: Number(options.get('y')) };
}
const filterNames = (chains: Chain[]) => chains.flatMap((chain) => chain.filters.map((filter) => filter.name));

describe('buildTranscodeArgs: common to every encoder', () => {
  for (const kind of KINDS) {
    describe(kind, () => {
      it(`${kind}: reads the DJ input first, then the logo, then the name card`, () => {
        assert.deepEqual(valuesOf(build(kind), '-i'), [INPUT_URL, '/data/branding/logo-1.png', '/tmp/broadcast-7/name-card.png']);
        assert.deepEqual(valuesOf(build(kind, { logoPath: null }), '-i'), [INPUT_URL, '/tmp/broadcast-7/name-card.png']);
      });

      it(`${kind}: puts hardware init before the first input, where ffmpeg applies it`, () => {
        const args = build(kind);
        const firstInput = args.indexOf('-i');
        for (const flag of ['-init_hw_device', '-hwaccel', '-hwaccel_output_format', '-filter_hw_device']) {
          const index = args.indexOf(flag);
          if (index >= 0) assert.ok(index < firstInput, `${flag} after the first -i`);
        }
      });

      it(`${kind}: keeps a fixed GOP of fps x keyframe seconds`, () => {
        const args = build(kind);
        assert.equal(valueOf(args, '-g'), '60');
        assert.equal(valueOf(args, '-keyint_min'), '60');
        const other = build(kind, { profile: { ...PROFILE, fps: 50, keyframeSeconds: 4 } });
        assert.equal(valueOf(other, '-g'), '200');
        assert.equal(valueOf(other, '-keyint_min'), '200');
      });

      it(`${kind}: encodes at a constant bitrate: b:v = maxrate, bufsize twice that`, () => {
        const args = build(kind);
        assert.equal(valueOf(args, '-b:v'), '4500k');
        assert.equal(valueOf(args, '-maxrate'), '4500k');
        assert.equal(valueOf(args, '-bufsize'), '9000k');
      });

      it(`${kind}: encodes audio to AAC, 48 kHz stereo, at the profile bitrate`, () => {
        const args = build(kind);
        assert.equal(valueOf(args, '-c:a'), 'aac');
        assert.equal(valueOf(args, '-b:a'), '160k');
        assert.equal(valueOf(args, '-ar'), '48000');
        assert.equal(valueOf(args, '-ac'), '2');
      });

      it(`${kind}: maps the composed program and the input's first sound track, or silence when the input has none, then publishes FLV to the output URL`, () => {
        assert.deepEqual(valuesOf(build(kind, { silentInput: true }), '-map'), ['[program]', `${valuesOf(build(kind, { silentInput: true }), '-i').indexOf('anullsrc=r=48000:cl=stereo')}:a`]);
        const args = build(kind);
        assert.deepEqual(valuesOf(args, '-map'), ['[program]', '0:a:0']);
        assert.ok(!args.includes('anullsrc=r=48000:cl=stereo'));
        assert.equal(valueOf(args, '-f'), 'flv');
        assert.equal(args.at(-1), OUTPUT_URL);
        assert.equal(args.indexOf(OUTPUT_URL), args.length - 1, 'output URL must appear once, last');
        assert.equal(valueOf(args, '-progress'), 'pipe:1');
      });

      it(`${kind}: draws logo and name card at the positions of the layout`, () => {
        const chains = graphOf(build(kind));
        const logo = overlayIn(chainTo(chains, 'branded'));
        assert.deepEqual({ x: logo.x, y: logo.y }, { x: LAYOUT.logo!.x, y: LAYOUT.logo!.y });
        const name = overlayIn(chainTo(chains, 'program'));
        assert.deepEqual({ x: name.x, y: name.y }, { x: LAYOUT.nameCard.x, y: LAYOUT.nameCard.y });
        assert.deepEqual(chainTo(chains, 'program').inputs[0], 'branded');
      });

      it(`${kind}: scales the logo to the layout size`, () => {
        const chains = graphOf(build(kind));
        const logoChain = chainTo(chains, 'logo');
        assert.deepEqual(logoChain.inputs, ['1:v']);
        assert.deepEqual(logoChain.filters[0], { name: 'scale', options: `${LAYOUT.logo!.width}:${LAYOUT.logo!.height}` });
      });

      it(`${kind}: without a logo: no logo chain, the name card is input 1 and goes straight onto the base`, () => {
        const args = build(kind, { logoPath: null });
        const chains = graphOf(args);
        assert.equal(chains.some((chain) => chain.output === 'logo' || chain.output === 'branded'), false);
        assert.equal(chains.some((chain) => chain.inputs.includes('2:v')), false);
        assert.ok(chains.some((chain) => chain.inputs.includes('1:v')));
        const program = chainTo(chains, 'program');
        assert.equal(program.inputs[0], 'base');
        const name = overlayIn(program);
        assert.deepEqual({ x: name.x, y: name.y }, { x: LAYOUT.nameCard.x, y: LAYOUT.nameCard.y });
      });

      it(`${kind}: with a logo: the name card is input 2`, () => {
        const chains = graphOf(build(kind));
        assert.ok(chains.some((chain) => chain.inputs.includes('2:v')));
        assert.ok(chains.every((chain) => !chain.inputs.includes('3:v')));
      });

      it(`${kind}: drops the layout logo when no logo file is given`, () => {
        // A layout computed with a logo, but no file (e.g. deleted): nothing may reference input 2.
        const graph = valueOf(build(kind, { logoPath: null }), '-filter_complex')!;
        assert.equal(graph.includes('[2:v]'), false);
        assert.equal(graph.includes(`x=${LAYOUT.logo!.x}:y=${LAYOUT.logo!.y}`), false);
      });

      it(`${kind}: rejects an overlay path with characters outside [\\w./-]`, () => {
        for (const path of ['/tmp/a b.png', "/tmp/it's.png", '/tmp/x;rm.png', '/tmp/[out].png', '/tmp/a:b.png', '/tmp/\n.png']) {
          assert.throws(() => build(kind, { logoPath: path }), { message: `unsafe characters in overlay path ${path}` });
          assert.throws(() => build(kind, { nameCardPath: path }), { message: `unsafe characters in overlay path ${path}` });
        }
      });

      it(`${kind}: uses the same filters and options whatever the layout, so that the encoder probe's small layout tests a job's graph`, () => {
        const other = layoutProgram({ width: 1280, height: 720 }, { width: 64, height: 32 }, 'bottom-left');
        const blank = (args: string[]) => args.map((arg) => arg.replace(/\d+/g, '#'));
        const a = build(kind);
        const b = build(kind, { layout: other });
        assert.notDeepEqual(valueOf(a, '-filter_complex'), valueOf(b, '-filter_complex'));
        assert.deepEqual(blank(a), blank(b));
        assert.deepEqual(filterNames(graphOf(a)), filterNames(graphOf(b)));
      });

      it(`${kind}: produces a graph whose every label is produced before use and the program is the only loose end`, () => {
        const chains = graphOf(build(kind));
        const produced = new Set<string>();
        for (const chain of chains) {
          for (const input of chain.inputs) {
            if (!/^\d+:v$/.test(input)) assert.ok(produced.has(input), `[${input}] used before produced`);
          }
          produced.add(chain.output);
        }
        const used = new Set(chains.flatMap((chain) => chain.inputs));
        assert.deepEqual([...produced].filter((label) => !used.has(label)), ['program']);
      });
    });
  }
});

describe('buildTranscodeArgs: libx264', () => {
  const args = build('libx264');
  it('encodes with libx264 at the profile preset, high profile, yuv420p, no scene cuts', () => {
    assert.equal(valueOf(args, '-c:v'), 'libx264');
    assert.equal(valueOf(args, '-preset'), 'veryfast');
    assert.equal(valueOf(args, '-profile:v'), 'high');
    assert.equal(valueOf(args, '-pix_fmt'), 'yuv420p');
    assert.equal(valueOf(args, '-sc_threshold'), '0');
  });
  it('initialises no hardware', () => {
    for (const flag of ['-init_hw_device', '-hwaccel', '-hwaccel_output_format', '-filter_hw_device']) {
      assert.equal(args.includes(flag), false, flag);
    }
  });
  it('letterboxes with scale + pad, fixes the frame rate, and overlays in memory', () => {
    const chains = graphOf(args);
    const base = chainTo(chains, 'base');
    assert.deepEqual(base.inputs, ['0:v']);
    assert.deepEqual(base.filters, [
      { name: 'scale', options: '1280:720:force_original_aspect_ratio=decrease' },
      { name: 'pad', options: '1280:720:(ow-iw)/2:(oh-ih)/2' },
      { name: 'fps', options: '30' },
      { name: 'format', options: 'yuv420p' },
    ]);
    assert.equal(overlayIn(chainTo(chains, 'branded')).name, 'overlay');
    assert.equal(overlayIn(chainTo(chains, 'program')).name, 'overlay');
    const names = filterNames(chains);
    assert.equal(names.some((name) => /_(cuda|vaapi|qsv)$|hwupload/.test(name)), false, names.join(','));
  });
});

describe('buildTranscodeArgs: nvenc', () => {
  const args = build('nvenc');
  it('encodes with h264_nvenc, CBR, forced IDR and no scene cuts', () => {
    assert.equal(valueOf(args, '-c:v'), 'h264_nvenc');
    assert.equal(valueOf(args, '-rc'), 'cbr');
    assert.equal(valueOf(args, '-forced-idr'), '1');
    assert.equal(valueOf(args, '-no-scenecut'), '1');
  });
  it('decodes on the CUDA device and keeps frames there', () => {
    assert.equal(valueOf(args, '-init_hw_device'), 'cuda=gpu:0');
    assert.equal(valueOf(args, '-filter_hw_device'), 'gpu');
    assert.equal(valueOf(args, '-hwaccel'), 'cuda');
    assert.equal(valueOf(args, '-hwaccel_output_format'), 'cuda');
  });
  it('scales with scale_cuda, uploads the stills with hwupload_cuda, overlays with overlay_cuda', () => {
    const chains = graphOf(args);
    const base = chainTo(chains, 'base');
    assert.deepEqual(base.filters[0], { name: 'scale_cuda', options: '1280:720:format=yuv420p' });
    assert.deepEqual(base.filters[1], { name: 'fps', options: '30' });
    assert.equal(chainTo(chains, 'logo').filters.at(-1)?.name, 'hwupload_cuda');
    assert.equal(chainTo(chains, 'name').filters.at(-1)?.name, 'hwupload_cuda');
    assert.deepEqual(chainTo(chains, 'name').inputs, ['2:v']);
    assert.equal(overlayIn(chainTo(chains, 'branded')).name, 'overlay_cuda');
    assert.equal(overlayIn(chainTo(chains, 'program')).name, 'overlay_cuda');
    assert.equal(filterNames(chains).some((name) => name === 'pad' || name === 'overlay'), false);
  });
});

describe('buildTranscodeArgs: vaapi', () => {
  it('encodes with h264_vaapi in CBR', () => {
    const args = build('vaapi');
    assert.equal(valueOf(args, '-c:v'), 'h264_vaapi');
    assert.equal(valueOf(args, '-rc_mode'), 'CBR');
  });
  it('opens the configured render node, defaulting to renderD128', () => {
    assert.equal(valueOf(build('vaapi'), '-init_hw_device'), 'vaapi=gpu:/dev/dri/renderD129');
    assert.equal(valueOf(build('vaapi', { encoder: { kind: 'vaapi' } }), '-init_hw_device'), 'vaapi=gpu:/dev/dri/renderD128');
    const args = build('vaapi');
    assert.equal(valueOf(args, '-filter_hw_device'), 'gpu');
    assert.equal(valueOf(args, '-hwaccel'), 'vaapi');
    assert.equal(valueOf(args, '-hwaccel_output_format'), 'vaapi');
  });
  it('scales with scale_vaapi, uploads the stills with hwupload, overlays with overlay_vaapi', () => {
    const chains = graphOf(build('vaapi'));
    const base = chainTo(chains, 'base');
    assert.equal(base.filters[0]?.name, 'scale_vaapi');
    assert.deepEqual(optionMap(base.filters[0]!.options), new Map([['w', '1280'], ['h', '720'], ['format', 'nv12']]));
    assert.equal(chainTo(chains, 'logo').filters.at(-1)?.name, 'hwupload');
    assert.equal(chainTo(chains, 'name').filters.at(-1)?.name, 'hwupload');
    assert.equal(overlayIn(chainTo(chains, 'branded')).name, 'overlay_vaapi');
    assert.equal(overlayIn(chainTo(chains, 'program')).name, 'overlay_vaapi');
  });
});

describe('buildTranscodeArgs: qsv', () => {
  const args = build('qsv');
  it('encodes with h264_qsv', () => {
    assert.equal(valueOf(args, '-c:v'), 'h264_qsv');
  });
  it('opens a QSV device and keeps frames there', () => {
    assert.equal(valueOf(args, '-init_hw_device'), 'qsv=gpu:hw');
    assert.equal(valueOf(args, '-filter_hw_device'), 'gpu');
    assert.equal(valueOf(args, '-hwaccel'), 'qsv');
    assert.equal(valueOf(args, '-hwaccel_output_format'), 'qsv');
  });
  it('scales with scale_qsv, uploads the stills, overlays with overlay_qsv', () => {
    const chains = graphOf(args);
    const base = chainTo(chains, 'base');
    assert.equal(base.filters[0]?.name, 'scale_qsv');
    assert.deepEqual(optionMap(base.filters[0]!.options), new Map([['w', '1280'], ['h', '720']]));
    assert.deepEqual(chainTo(chains, 'name').filters.at(-1), { name: 'hwupload', options: 'extra_hw_frames=16' });
    assert.equal(overlayIn(chainTo(chains, 'branded')).name, 'overlay_qsv');
    assert.equal(overlayIn(chainTo(chains, 'program')).name, 'overlay_qsv');
  });
});

describe('buildTranscodeArgs: sound alone, with the VJ director', () => {
  const DIRECTOR = 'tcp://127.0.0.1:41234';
  const directed = (kind: EncoderKind, scene?: 'spectrum' | 'scope' | 'histogram') =>
    build(kind, { inputKind: 'audio-only', vjScene: scene, vjDirectorUrl: DIRECTOR });

  for (const kind of KINDS) {
    it(`${kind}: times the sound by its sample count and splits it three ways: the picture, the program's sound, the director's copy`, () => {
      const chains = graphOf(directed(kind));
      const split = chains.find((chain) => chain.inputs[0] === '0:a');
      assert.ok(split);
      // (This small parser takes all but the last output label of a chain for the last filter's options.)
      assert.deepEqual(split.filters, [
        { name: 'asetpts', options: 'N/SR/TB' },
        { name: 'asplit', options: '3[vjsound][programsound]' },
      ]);
      assert.equal(split.output, 'vjcopy');
      assert.equal(chains.find((chain) => chain.inputs[0] === 'vjcopy')?.output, 'beats');
      assert.equal(chains.find((chain) => chain.inputs[0] === 'vjsound')?.output, 'base');
      assert.deepEqual(chainTo(chains, 'beats').filters, [{ name: 'aformat', options: 'sample_fmts=flt:sample_rates=12000:channel_layouts=mono' }]);
      const base = chainTo(chains, 'base');
      assert.equal(base.filters[0]?.name, 'showcqt');
      assert.deepEqual(base.inputs, ['vjsound']);
      // The look and the beat's flash are filters the director's commands reach by name.
      assert.deepEqual(base.filters.slice(2, 4).map((filter) => filter.name), ['colorcorrect@vjcolour', 'hue@vjbeat']);
    });
  }

  it('maps the split sound as the program\'s sound, and sends the copy to the director as raw floats, flushed at once', () => {
    const args = directed('libx264');
    assert.deepEqual(valuesOf(args, '-map'), ['[program]', '[programsound]', '[beats]']);
    assert.equal(args.at(-1), DIRECTOR);
    assert.deepEqual(args.slice(args.lastIndexOf('-map'), -1), ['-map', '[beats]', '-c:a', 'pcm_f32le', '-f', 'f32le', '-flush_packets', '1']);
  });

  it("reads the director's commands on stdin: no -nostdin (every other encoder has it)", () => {
    assert.ok(!directed('libx264').includes('-nostdin'));
    assert.ok(build('libx264').includes('-nostdin'));
    assert.ok(build('libx264', { inputKind: 'audio-only' }).includes('-nostdin'), 'no director, no console');
    assert.ok(build('libx264', { vjDirectorUrl: DIRECTOR }).includes('-nostdin'), 'a picture has no VJ to direct');
  });

  it('names the vector scope, whose shape the looks change too', () => {
    const base = chainTo(graphOf(directed('libx264', 'scope')), 'base');
    assert.equal(base.filters[0]?.name, 'avectorscope@vjscope');
  });
});
