import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accentCommand, lookCommands, VJ_LOOKS, vjPicture, VJ_SCENES } from './vj-picture.js';

describe("the VJ's looks and accents", () => {
  it("a look is the colour filter's tint for every scene, and the scope's shape for the scope", () => {
    for (const scene of VJ_SCENES) {
      const commands = lookCommands(scene, VJ_LOOKS[1]!);
      assert.deepEqual(commands.slice(0, 3), [
        { target: 'colorize@vjcolour', command: 'hue', argument: '320' },
        { target: 'colorize@vjcolour', command: 'saturation', argument: '0.9' },
        { target: 'colorize@vjcolour', command: 'mix', argument: '0.3' },
      ]);
      assert.equal(commands.length, scene === 'scope' ? 6 : 3);
    }
    assert.deepEqual(lookCommands('scope', VJ_LOOKS[2]!).slice(3).map((command) => [command.target, command.command, command.argument]), [
      ['avectorscope@vjscope', 'mode', 'lissajous_xy'],
      ['avectorscope@vjscope', 'mirror', 'x'],
      ['avectorscope@vjscope', 'zoom', '1.8'],
    ]);
  });

  it('consecutive looks are far apart on the colour wheel (at least 90°), so that a phrase change is seen', () => {
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
      assert.match(picture, /colorize@vjcolour=hue=200:saturation=0.8:mix=0.3,hue@vjbeat=b=0$/);
    }
    assert.match(vjPicture('scope', 1280, 720, 30), /^avectorscope@vjscope=s=720x720:r=30:mode=lissajous:mirror=none:zoom=1.5:/);
  });
});
