import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nameCardArgs, renderNameCard } from './name-card.js';
import { layoutProgram, type ProgramLayout } from './overlay-layout.js';

const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';
const LEFT: ProgramLayout = layoutProgram({ width: 1280, height: 720 }, null, 'top-left');
const RIGHT: ProgramLayout = layoutProgram({ width: 1280, height: 720 }, { width: 100, height: 100 }, 'bottom-left');

/** The drawtext options, split on the ':' that separates them. */
function drawtextOptions(args: string[]): Map<string, string> {
  const vf = args[args.indexOf('-vf') + 1]!;
  assert.ok(vf.startsWith('drawtext='), vf);
  const options = new Map<string, string>();
  for (const pair of vf.slice('drawtext='.length).split(':')) {
    const equals = pair.indexOf('=');
    assert.ok(equals > 0, `option without a value: ${pair}`);
    assert.equal(options.has(pair.slice(0, equals)), false, `option ${pair.slice(0, equals)} given twice`);
    options.set(pair.slice(0, equals), pair.slice(equals + 1));
  }
  return options;
}

describe('nameCardArgs', () => {
  it('reads the name from a file with expansion off, never from the filter string', () => {
    const args = nameCardArgs(LEFT, FONT, '/tmp/card/dj-name.txt', '/tmp/card/name-card.png');
    const options = drawtextOptions(args);
    assert.equal(options.get('textfile'), '/tmp/card/dj-name.txt');
    assert.equal(options.get('expansion'), 'none');
    assert.equal(options.has('text'), false);
    assert.equal(options.get('fontfile'), FONT);
  });

  it('draws on a transparent RGBA canvas of the card size, one frame, to the output path', () => {
    const args = nameCardArgs(LEFT, FONT, '/tmp/t.txt', '/tmp/out.png');
    assert.equal(args[args.indexOf('-f') + 1], 'lavfi');
    assert.equal(args[args.indexOf('-i') + 1], `color=c=black@0.0:s=${LEFT.nameCard.width}x${LEFT.nameCard.height},format=rgba`);
    assert.equal(args[args.indexOf('-frames:v') + 1], '1');
    assert.equal(args.at(-1), '/tmp/out.png');
    assert.ok(args.includes('-y'));
  });

  it('uses the layout font size, a padding of a third of it, and centres vertically', () => {
    const options = drawtextOptions(nameCardArgs(LEFT, FONT, '/tmp/t.txt', '/tmp/out.png'));
    // 720p: font 32, padding round(32/3) = 11.
    assert.equal(options.get('fontsize'), '32');
    assert.equal(options.get('boxborderw'), '11');
    assert.equal(options.get('y'), '(h-text_h)/2');
  });

  it('starts left-aligned text at twice the padding', () => {
    assert.equal(LEFT.nameAlign, 'left');
    assert.equal(drawtextOptions(nameCardArgs(LEFT, FONT, '/tmp/t.txt', '/tmp/out.png')).get('x'), '22');
  });

  it('ends right-aligned text twice the padding before the right edge', () => {
    assert.equal(RIGHT.nameAlign, 'right');
    assert.equal(drawtextOptions(nameCardArgs(RIGHT, FONT, '/tmp/t.txt', '/tmp/out.png')).get('x'), 'w-text_w-22');
  });
});

describe('renderNameCard', { skip: existsSync(FONT) ? false : `font ${FONT} missing` }, () => {
  it('renders a name full of filter syntax into a PNG of the card size', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'name-card-spec-'));
    try {
      const name = "DJ %{localtime}: it's [out];drawbox=c=red, \\ok\nsecond line";
      const path = await renderNameCard({ ffmpegPath: 'ffmpeg', fontFile: FONT, djName: name, layout: LEFT, directory });
      assert.equal(path, join(directory, 'name-card.png'));
      // The name is written as is, newlines folded to one space.
      assert.equal(await readFile(join(directory, 'dj-name.txt'), 'utf8'), "DJ %{localtime}: it's [out];drawbox=c=red, \\ok second line");
      const png = await readFile(path);
      assert.equal(png.toString('latin1', 1, 4), 'PNG');
      assert.equal(png.toString('latin1', 12, 16), 'IHDR');
      assert.equal(png.readUInt32BE(16), LEFT.nameCard.width);
      assert.equal(png.readUInt32BE(20), LEFT.nameCard.height);
      assert.equal(png[25], 6, 'PNG colour type 6 (RGBA): the card must be transparent');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('fails with the last line of ffmpeg errors when ffmpeg cannot render', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'name-card-spec-'));
    try {
      const broken: ProgramLayout = { ...LEFT, nameCard: { ...LEFT.nameCard, width: 0 } };
      await assert.rejects(renderNameCard({ ffmpegPath: 'ffmpeg', fontFile: FONT, djName: 'DJ', layout: broken, directory }), {
        message: /^name card rendering failed: .*Invalid argument$/,
      });
      await assert.rejects(
        renderNameCard({ ffmpegPath: join(directory, 'no-such-ffmpeg'), fontFile: FONT, djName: 'DJ', layout: LEFT, directory }),
        { message: /^name card rendering failed: .*command not found or not executable: .*no-such-ffmpeg$/ },
      );
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
