/**
 * The automated VJ's picture, drawn by ffmpeg from the DJ's sound, and the runtime commands that
 * change it on the beat. A scene is one of ffmpeg's audio visualisations; a look is a variation of
 * the scene on air (hue, saturation, and for the scope its shape), changed by filter commands at a
 * phrase boundary. Only the scene on air runs: a change of look costs nothing, where switching
 * between visualisations would run all of them at once (streamselect) or restart the encoder.
 */

/** The scenes of ffmpeg's own audio visualisations. */
export const VJ_SCENES = ['spectrum', 'scope', 'histogram'] as const;
export type VjScene = (typeof VJ_SCENES)[number];

/** Filter instances the director sends commands to (ffmpeg's `name@instance`). */
export const VJ_COLOUR_FILTER = 'colorize@vjcolour';
export const VJ_ACCENT_FILTER = 'hue@vjbeat';
export const VJ_SCOPE_FILTER = 'avectorscope@vjscope';

/**
 * The scene at the program's size and rate, then its colour (a tint the looks change: the
 * visualisations draw a mono mix in white, so turning their hue would change nothing) and the beat's
 * flash: the constant-Q spectrum (bars and a scrolling sonogram), the stereo vector scope, or the
 * scrolling histogram. Measured here at realtime with logo, name and x264 veryfast: spectrum 0.80
 * cores at 720p and 1.27 at 1080p, scope 0.81 / 1.36, histogram 0.63 / 1.03.
 */
export function vjPicture(scene: VjScene, width: number, height: number, fps: number): string {
  const colour = `${VJ_COLOUR_FILTER}=${colourOptions(VJ_LOOKS[0]!)},${VJ_ACCENT_FILTER}=b=0`;
  switch (scene) {
    case 'spectrum':
      return `showcqt=s=${width}x${height}:r=${fps}:axis=0:bar_g=2:sono_g=4,format=yuv420p,${colour}`;
    case 'scope': {
      const side = 2 * Math.round(height / 2);
      const shape = scopeOptions(VJ_LOOKS[0]!);
      return `${VJ_SCOPE_FILTER}=s=${side}x${side}:r=${fps}:${shape}:draw=line:scale=sqrt:rc=200:gc=80:bc=255:rf=15:gf=20:bf=10,pad=${width}:${height}:(ow-iw)/2:0:black,format=yuv420p,${colour}`;
    }
    case 'histogram':
      return `ahistogram=s=${width}x${height}:r=${fps}:dmode=separate:slide=scroll:scale=log,format=yuv420p,${colour}`;
  }
}

export interface VjLook {
  /** The tint: its hue (degrees), saturation (0..1), and how much of the scene's own colour stays (0..1). */
  tint: { hue: number; saturation: number; mix: number };
  scope: { mode: 'lissajous' | 'lissajous_xy' | 'polar'; mirror: 'none' | 'x' | 'y' | 'xy'; zoom: number };
}

/** The looks a set cycles through, one per phrase: consecutive tints far apart on the colour wheel. */
export const VJ_LOOKS: readonly VjLook[] = [
  { tint: { hue: 200, saturation: 0.8, mix: 0.3 }, scope: { mode: 'lissajous', mirror: 'none', zoom: 1.5 } },
  { tint: { hue: 320, saturation: 0.9, mix: 0.3 }, scope: { mode: 'polar', mirror: 'none', zoom: 1.3 } },
  { tint: { hue: 80, saturation: 0.9, mix: 0.3 }, scope: { mode: 'lissajous_xy', mirror: 'x', zoom: 1.8 } },
  { tint: { hue: 190, saturation: 0.8, mix: 0.3 }, scope: { mode: 'lissajous', mirror: 'xy', zoom: 2.2 } },
  { tint: { hue: 300, saturation: 0.9, mix: 0.3 }, scope: { mode: 'polar', mirror: 'y', zoom: 1.6 } },
  { tint: { hue: 50, saturation: 0.9, mix: 0.3 }, scope: { mode: 'lissajous_xy', mirror: 'none', zoom: 1.4 } },
];

/** One command for a filter of the running encoder: `target command argument`. */
export interface FilterCommand {
  target: string;
  command: string;
  argument: string;
}

/** The commands that put a look on air (sent for one stream time, they take effect on one frame). */
export function lookCommands(scene: VjScene, look: VjLook): FilterCommand[] {
  const commands: FilterCommand[] = [
    { target: VJ_COLOUR_FILTER, command: 'hue', argument: String(look.tint.hue) },
    { target: VJ_COLOUR_FILTER, command: 'saturation', argument: String(look.tint.saturation) },
    { target: VJ_COLOUR_FILTER, command: 'mix', argument: String(look.tint.mix) },
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
  return `hue=${look.tint.hue}:saturation=${look.tint.saturation}:mix=${look.tint.mix}`;
}

function scopeOptions(look: VjLook): string {
  return `mode=${look.scope.mode}:mirror=${look.scope.mirror}:zoom=${look.scope.zoom}`;
}
