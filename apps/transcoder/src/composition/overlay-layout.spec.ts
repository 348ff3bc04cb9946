import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LogoPosition } from '@streamcaster/contracts';
import { layoutProgram, type Placement, type Size } from './overlay-layout.js';

const HD: Size = { width: 1280, height: 720 };
const FULL_HD: Size = { width: 1920, height: 1080 };
const POSITIONS: LogoPosition[] = ['top-left', 'top-right', 'bottom-left', 'bottom-right'];

const isEven = (value: number) => value % 2 === 0;
function assertEvenPlacement(placement: Placement, what: string) {
  for (const key of ['x', 'y', 'width', 'height'] as const) {
    assert.ok(isEven(placement[key]), `${what}.${key} = ${placement[key]} is odd`);
  }
}
function assertInsideFrame(placement: Placement, frame: Size, what: string) {
  assert.ok(placement.x >= 0 && placement.y >= 0, `${what} starts outside the frame`);
  assert.ok(placement.x + placement.width <= frame.width, `${what} passes the right edge`);
  assert.ok(placement.y + placement.height <= frame.height, `${what} passes the bottom edge`);
}
const overlaps = (a: Placement, b: Placement) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('layoutProgram: logo size', () => {
  it('fits a wide logo to 25% of the frame width, keeping its aspect ratio', () => {
    const layout = layoutProgram(HD, { width: 800, height: 200 }, 'top-left');
    // Box 320x108: the width limits (scale 0.4), so 320x80.
    assert.deepEqual(layout.logo && { width: layout.logo.width, height: layout.logo.height }, { width: 320, height: 80 });
  });

  it('fits a tall logo to 15% of the frame height, keeping its aspect ratio', () => {
    const layout = layoutProgram(HD, { width: 100, height: 400 }, 'top-left');
    // Box 320x108: the height limits (scale 0.27), so 27x108 -> 28x108 once even.
    assert.deepEqual(layout.logo && { width: layout.logo.width, height: layout.logo.height }, { width: 28, height: 108 });
  });

  it('scales a small logo up to its box as well', () => {
    const layout = layoutProgram(FULL_HD, { width: 48, height: 48 }, 'top-right');
    // Box 480x162: a square fills the height, 162x162.
    assert.equal(layout.logo?.width, 162);
    assert.equal(layout.logo?.height, 162);
  });

  for (const [frame, logo] of [
    [HD, { width: 1000, height: 1000 }],
    [HD, { width: 1917, height: 311 }],
    [FULL_HD, { width: 333, height: 777 }],
    [{ width: 854, height: 480 }, { width: 2000, height: 100 }],
    [{ width: 640, height: 360 }, { width: 7, height: 5 }],
  ] as Array<[Size, Size]>) {
    it(`keeps ${logo.width}x${logo.height} inside the 25%x15% box of ${frame.width}x${frame.height}, ratio kept, even`, () => {
      const placed = layoutProgram(frame, logo, 'bottom-right').logo;
      assert.ok(placed);
      // Rounding to even numbers may add at most one pixel on each side.
      assert.ok(placed.width <= frame.width * 0.25 + 1, `width ${placed.width} > 25% of ${frame.width}`);
      assert.ok(placed.height <= frame.height * 0.15 + 1, `height ${placed.height} > 15% of ${frame.height}`);
      // One of the two sides reaches its box (within rounding).
      const fillsWidth = Math.abs(placed.width - frame.width * 0.25) <= 1;
      const fillsHeight = Math.abs(placed.height - frame.height * 0.15) <= 1;
      assert.ok(fillsWidth || fillsHeight, `${placed.width}x${placed.height} fills neither side of its box`);
      // Aspect ratio within the rounding of each side to an even number (±1 px each).
      const expectedHeight = (placed.width * logo.height) / logo.width;
      const tolerance = 1 + logo.height / logo.width;
      assert.ok(Math.abs(placed.height - expectedHeight) <= tolerance, `ratio lost: ${placed.width}x${placed.height} for ${logo.width}x${logo.height}`);
      assertEvenPlacement(placed, 'logo');
      assertInsideFrame(placed, frame, 'logo');
    });
  }
});

describe('layoutProgram: logo position and margins', () => {
  const logo: Size = { width: 400, height: 200 };
  // 1280x720: margin = even(21.6) = 22; logo box 320x108 -> 216x108.
  const expected: Record<LogoPosition, { x: number; y: number }> = {
    'top-left': { x: 22, y: 22 },
    'top-right': { x: 1280 - 22 - 216, y: 22 },
    'bottom-left': { x: 22, y: 720 - 22 - 108 },
    'bottom-right': { x: 1280 - 22 - 216, y: 720 - 22 - 108 },
  };
  for (const position of POSITIONS) {
    it(`puts the logo ${position}, 3% of the height (even) from the edges`, () => {
      const layout = layoutProgram(HD, logo, position);
      assert.deepEqual(layout.logo, { width: 216, height: 108, ...expected[position] });
    });
  }

  it('uses an even margin of 3% of the frame height at 1080p too', () => {
    const layout = layoutProgram(FULL_HD, { width: 100, height: 100 }, 'bottom-right');
    // margin = even(32.4) = 32; logo 162x162.
    assert.deepEqual(layout.logo, { width: 162, height: 162, x: 1920 - 32 - 162, y: 1080 - 32 - 162 });
  });
});

describe('layoutProgram: name card', () => {
  it('sits bottom-left, left aligned, when the logo is elsewhere', () => {
    for (const position of ['top-left', 'top-right', 'bottom-right'] as const) {
      const layout = layoutProgram(HD, { width: 300, height: 100 }, position);
      assert.equal(layout.nameAlign, 'left', position);
      assert.equal(layout.nameCard.x, 22, position);
      assert.equal(layout.nameCard.y + layout.nameCard.height, 720 - 22, position);
    }
  });

  it('moves bottom-right, right aligned, when the logo is bottom-left', () => {
    const layout = layoutProgram(HD, { width: 300, height: 100 }, 'bottom-left');
    assert.equal(layout.nameAlign, 'right');
    assert.equal(layout.nameCard.x + layout.nameCard.width, 1280 - 22);
    assert.equal(layout.nameCard.y + layout.nameCard.height, 720 - 22);
  });

  it('stays bottom-left without a logo, whatever position is configured', () => {
    for (const position of POSITIONS) {
      const layout = layoutProgram(HD, null, position);
      assert.equal(layout.logo, null, position);
      assert.equal(layout.nameAlign, 'left', position);
      assert.equal(layout.nameCard.x, 22, position);
    }
  });

  it('sizes the card from the frame: font 4.5% of the height, card twice the font high and 60% wide, all even', () => {
    const layout = layoutProgram(HD, null, 'top-left');
    // font = even(32.4) = 32; card = 64 high, even(768) = 768 wide.
    assert.equal(layout.nameFontSize, 32);
    assert.deepEqual(layout.nameCard, { width: 768, height: 64, x: 22, y: 720 - 22 - 64 });
    const full = layoutProgram(FULL_HD, null, 'top-left');
    assert.equal(full.nameFontSize, 48);
    assert.deepEqual(full.nameCard, { width: 1152, height: 96, x: 32, y: 1080 - 32 - 96 });
  });

  for (const frame of [HD, FULL_HD, { width: 854, height: 480 }, { width: 640, height: 360 }]) {
    it(`never lets the name card overlap the logo, at ${frame.width}x${frame.height}`, () => {
      for (const position of POSITIONS) {
        for (const logo of [{ width: 100, height: 100 }, { width: 1000, height: 10 }, { width: 10, height: 1000 }]) {
          const layout = layoutProgram(frame, logo, position);
          assert.ok(layout.logo);
          assert.ok(!overlaps(layout.logo, layout.nameCard), `${position} ${logo.width}x${logo.height}: overlap`);
          assertEvenPlacement(layout.nameCard, 'nameCard');
          assertInsideFrame(layout.nameCard, frame, 'nameCard');
          assertInsideFrame(layout.logo, frame, 'logo');
        }
      }
    });
  }
});
