/**
 * The automated VJ's picture, drawn by ffmpeg from the DJ's sound, and the runtime commands that
 * change it on the beat. A scene is one of ffmpeg's audio visualisations; a look is a variation of
 * the scene on air (hue, saturation, and for the scope its shape), changed by filter commands at a
 * phrase boundary. Only the scene on air runs: a change of look costs nothing, where switching
 * between visualisations would run all of them at once (streamselect) or restart the encoder.
 */

import { VJ_PALETTES, VJ_SCENE_NAMES, type VjPalette, type VjSceneName } from '@streamcaster/contracts';

/** The scenes of ffmpeg's own audio visualisations (the branding's VJ settings turn them on and off). */
export const VJ_SCENES = VJ_SCENE_NAMES;
export type VjScene = VjSceneName;

/** Filter instances the director sends commands to (ffmpeg's `name@instance`). */
export const VJ_COLOUR_FILTER = 'colorcorrect@vjcolour';
export const VJ_ACCENT_FILTER = 'hue@vjbeat';
export const VJ_SCOPE_FILTER = 'avectorscope@vjscope';

/**
 * The scene at the program's size and rate, then its colour and the beat's flash. The colour is a
 * tint of the highlights in YUV (colorcorrect: black stays black, white takes the tint), which the
 * looks change: the visualisations draw what both channels share in white, so turning their hue
 * would change little, and colorize would flood the black with colour. The scenes: the constant-Q spectrum (bars and a scrolling sonogram), the stereo vector scope, or the
 * scrolling histogram. Measured here at realtime with logo, name and x264 veryfast: spectrum 0.80
 * cores at 720p and 1.27 at 1080p, scope 0.81 / 1.36, histogram 0.63 / 1.03.
 */
export function vjPicture(scene: VjScene, width: number, height: number, fps: number, firstLook: VjLook = vjLooks('rainbow')[0]!): string {
  const colour = `${VJ_COLOUR_FILTER}=${colourOptions(firstLook)},${VJ_ACCENT_FILTER}=b=0`;
  switch (scene) {
    case 'spectrum':
      return `showcqt=s=${width}x${height}:r=${fps}:axis=0:bar_g=2:sono_g=4,format=yuv420p,${colour}`;
    case 'scope': {
      const side = 2 * Math.round(height / 2);
      const shape = scopeOptions(firstLook);
      return `${VJ_SCOPE_FILTER}=s=${side}x${side}:r=${fps}:${shape}:draw=line:scale=sqrt:rc=200:gc=80:bc=255:rf=15:gf=20:bf=10,pad=${width}:${height}:(ow-iw)/2:0:black,format=yuv420p,${colour}`;
    }
    case 'histogram':
      return `ahistogram=s=${width}x${height}:r=${fps}:dmode=separate:slide=scroll:scale=log,format=yuv420p,${colour}`;
  }
}

export interface VjLook {
  /** The tint: its hue (degrees on the colour wheel), how far the highlights go towards it (0..1), and the picture's saturation (1 as drawn). */
  tint: { hue: number; strength: number; saturation: number };
  scope: { mode: 'lissajous' | 'lissajous_xy' | 'polar'; mirror: 'none' | 'x' | 'y' | 'xy'; zoom: number };
}

/** How strong each look's tint is: a change of look is seen even within a narrow palette. */
const TINT_STRENGTHS = [
  { strength: 0.5, saturation: 1.3 },
  { strength: 0.6, saturation: 1.5 },
  { strength: 0.4, saturation: 1.2 },
  { strength: 0.65, saturation: 1.6 },
  { strength: 0.45, saturation: 1.4 },
  { strength: 0.55, saturation: 1.3 },
] as const;
const SCOPE_SHAPES: readonly VjLook['scope'][] = [
  { mode: 'lissajous', mirror: 'none', zoom: 1.5 },
  { mode: 'polar', mirror: 'none', zoom: 1.3 },
  { mode: 'lissajous_xy', mirror: 'x', zoom: 1.8 },
  { mode: 'lissajous', mirror: 'xy', zoom: 2.2 },
  { mode: 'polar', mirror: 'y', zoom: 1.6 },
  { mode: 'lissajous_xy', mirror: 'none', zoom: 1.4 },
];

/** The looks a set cycles through, one per phrase: the palette's tints in turn, each with its strength and scope shape. */
export function vjLooks(palette: VjPalette): VjLook[] {
  return VJ_PALETTES[palette].map((hue, index) => ({
    tint: { hue, ...TINT_STRENGTHS[index % TINT_STRENGTHS.length]! },
    scope: SCOPE_SHAPES[index % SCOPE_SHAPES.length]!,
  }));
}

/** One command for a filter of the running encoder: `target command argument`. */
export interface FilterCommand {
  target: string;
  command: string;
  argument: string;
}

/** The commands that put a look on air (sent for one stream time, they take effect on one frame). */
export function lookCommands(scene: VjScene, look: VjLook): FilterCommand[] {
  const { rh, bh } = highlightSpot(look);
  const commands: FilterCommand[] = [
    { target: VJ_COLOUR_FILTER, command: 'rh', argument: rh },
    { target: VJ_COLOUR_FILTER, command: 'bh', argument: bh },
    { target: VJ_COLOUR_FILTER, command: 'saturation', argument: String(look.tint.saturation) },
  ];
  if (scene === 'scope') {
    commands.push(
      { target: VJ_SCOPE_FILTER, command: 'mode', argument: look.scope.mode },
      { target: VJ_SCOPE_FILTER, command: 'mirror', argument: look.scope.mirror },
      { target: VJ_SCOPE_FILTER, command: 'zoom', argument: String(look.scope.zoom) },
    );
  }
  return commands;
}

/** How bright the flash on a beat is (hue's `b`, -10..10; 1 lifts the picture by a tenth) and how fast it fades. */
const ACCENT_BRIGHTNESS = 0.9;
const ACCENT_DECAY_PER_SECOND = 10;

/**
 * The accent on every beat of the grid, as an expression of the frame's time: evaluated by the
 * filter at each frame, it lands on the beat to the frame without a command per beat. Null: none.
 */
export function accentCommand(grid: { period: number; anchor: number } | null): FilterCommand {
  if (!grid) return { target: VJ_ACCENT_FILTER, command: 'b', argument: '0' };
  const anchor = grid.anchor.toFixed(4);
  const period = grid.period.toFixed(5);
  return {
    target: VJ_ACCENT_FILTER,
    command: 'b',
    argument: `${ACCENT_BRIGHTNESS}*exp(-${ACCENT_DECAY_PER_SECOND}*mod(t-${anchor},${period}))*gte(t,${anchor})`,
  };
}

function colourOptions(look: VjLook): string {
  const { rh, bh } = highlightSpot(look);
  return `rh=${rh}:bh=${bh}:saturation=${look.tint.saturation}`;
}

/**
 * colorcorrect's highlight spot for a tint: the tint's direction in the chroma plane (BT.709: `bh`
 * along the blue difference U, `rh` along the red difference V), at the look's strength.
 */
export function highlightSpot(look: VjLook): { rh: string; bh: string } {
  const [r, g, b] = hueToRgb(look.tint.hue);
  const u = -0.1146 * r - 0.3854 * g + 0.5 * b;
  const v = 0.5 * r - 0.4542 * g - 0.0458 * b;
  const length = Math.hypot(u, v);
  return { rh: ((v / length) * look.tint.strength).toFixed(3), bh: ((u / length) * look.tint.strength).toFixed(3) };
}

/** A fully saturated colour of that hue (HSV, value 1), as 0..1 RGB. */
function hueToRgb(hue: number): [number, number, number] {
  const channel = (n: number) => {
    const k = (n + hue / 60) % 6;
    return 1 - Math.max(0, Math.min(k, 4 - k, 1));
  };
  return [channel(5), channel(3), channel(1)];
}

function scopeOptions(look: VjLook): string {
  return `mode=${look.scope.mode}:mirror=${look.scope.mirror}:zoom=${look.scope.zoom}`;
}
