import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VJ_PALETTES } from '@streamcaster/contracts';
import { accentCommand, highlightSpot, lookCommands, vjLooks, vjPicture, VJ_SCENES } from './vj-picture.js';

const VJ_LOOKS = vjLooks('rainbow');

describe("the VJ's looks and accents", () => {
  it("a look is the colour filter's tint for every scene, and the scope's shape for the scope", () => {
    for (const scene of VJ_SCENES) {
      const commands = lookCommands(scene, VJ_LOOKS[1]!);
      // Magenta-pink (320°): the highlights go towards red (V) and blue (U) alike, red more.
      assert.deepEqual(commands.slice(0, 3), [
        { target: 'colorcorrect@vjcolour', command: 'rh', argument: '0.544' },
        { target: 'colorcorrect@vjcolour', command: 'bh', argument: '0.253' },
        { target: 'colorcorrect@vjcolour', command: 'saturation', argument: '1.5' },
      ]);
      assert.equal(commands.length, scene === 'scope' ? 6 : 3);
    }
    assert.deepEqual(lookCommands('scope', VJ_LOOKS[2]!).slice(3).map((command) => [command.target, command.command, command.argument]), [
      ['avectorscope@vjscope', 'mode', 'lissajous_xy'],
      ['avectorscope@vjscope', 'mirror', 'x'],
      ['avectorscope@vjscope', 'zoom', '1.8'],
    ]);
  });

  it('a tint is the direction of its hue in the chroma plane, at the look\'s strength', () => {
    const spot = (hue: number) => highlightSpot({ tint: { hue, strength: 0.5, saturation: 1 }, scope: VJ_LOOKS[0]!.scope });
    assert.deepEqual(spot(0), { rh: '0.487', bh: '-0.112' }, 'red: along V, a little against U');
    assert.deepEqual(spot(240), { rh: '-0.046', bh: '0.498' }, 'blue: along U');
    for (const hue of [0, 45, 130, 200, 275, 330]) {
      const { rh, bh } = spot(hue);
      assert.ok(Math.abs(Math.hypot(Number(rh), Number(bh)) - 0.5) < 0.002, `${hue}°`);
    }
  });

  it("every palette gives a look per tint, in the palette's order; consecutive looks differ in tint or strength", () => {
    for (const palette of ['rainbow', 'warm', 'cool'] as const) {
      const looks = vjLooks(palette);
      assert.deepEqual(looks.map((look) => look.tint.hue), [...VJ_PALETTES[palette]]);
      for (let at = 0; at < looks.length; at++) {
        const [a, b] = [looks[at]!.tint, looks[(at + 1) % looks.length]!.tint];
        const apart = Math.abs(((b.hue - a.hue + 540) % 360) - 180);
        assert.ok(apart >= 20, `${palette} looks ${at} and ${at + 1}: ${apart}°`);
      }
    }
  });

  it('the rainbow: consecutive looks far apart on the colour wheel (at least 90°), so that a phrase change is seen', () => {
    for (let at = 0; at < VJ_LOOKS.length; at++) {
      const [a, b] = [VJ_LOOKS[at]!.tint.hue, VJ_LOOKS[(at + 1) % VJ_LOOKS.length]!.tint.hue];
      const apart = Math.abs(((b - a + 540) % 360) - 180);
      assert.ok(apart >= 90, `looks ${at} and ${at + 1}: ${apart}°`);
    }
  });

  it('the accent flashes on each beat of the grid and fades before the next; without a grid, none', () => {
    const accent = accentCommand({ period: 0.48387, anchor: 10.5527 });
    assert.equal(accent.target, 'hue@vjbeat');
    assert.equal(accent.command, 'b');
    // Evaluated by the filter at each frame: full on a beat of the grid, faded a tenth of a second
    // on (exp(-10 t)), none before the grid's first beat.
    assert.equal(accent.argument, '0.9*exp(-10*mod(t-10.5527,0.48387))*gte(t,10.5527)');
    assert.deepEqual(accentCommand(null), { target: 'hue@vjbeat', command: 'b', argument: '0' });
  });

  it("every scene's picture starts on the first look and carries the colour and accent filters the commands name", () => {
    for (const scene of VJ_SCENES) {
      const picture = vjPicture(scene, 1280, 720, 30);
      // Sky blue (200°): away from red, towards blue.
      assert.match(picture, /colorcorrect@vjcolour=rh=-0.410:bh=0.286:saturation=1.3,hue@vjbeat=b=0$/);
    }
    assert.match(vjPicture('scope', 1280, 720, 30), /^avectorscope@vjscope=s=720x720:r=30:mode=lissajous:mirror=none:zoom=1.5:/);
  });
});
