import type { LogoPosition } from '@streamcaster/contracts';

export interface Size {
  width: number;
  height: number;
}

export interface Placement extends Size {
  x: number;
  y: number;
}

export interface ProgramLayout {
  /** Where the logo goes, scaled to fit its box with its aspect ratio kept; null without a logo. */
  logo: Placement | null;
  /** The DJ name card: a transparent strip with the name in a box, in the bottom corner the logo leaves free. */
  nameCard: Placement;
  nameFontSize: number;
  /** Text alignment inside the card, so the name hugs the frame edge it sits at. */
  nameAlign: 'left' | 'right';
}

/** Even numbers: chroma-subsampled formats (yuv420p, nv12) cannot place or size on odd pixels. */
const even = (value: number) => Math.max(2, 2 * Math.round(value / 2));

/**
 * The picture's layout, from the frame size alone, so that every encoder path (CPU or GPU) draws the
 * same thing. The logo fits a box of 25% of the width by 15% of the height, 3% from the edges.
 */
export function layoutProgram(frame: Size, logo: Size | null, position: LogoPosition): ProgramLayout {
  const margin = even(frame.height * 0.03);
  let logoPlacement: Placement | null = null;
  if (logo) {
    const scale = Math.min((frame.width * 0.25) / logo.width, (frame.height * 0.15) / logo.height);
    const width = even(logo.width * scale);
    const height = even(logo.height * scale);
    const right = position.endsWith('right');
    const bottom = position.startsWith('bottom');
    logoPlacement = {
      width,
      height,
      x: right ? frame.width - margin - width : margin,
      y: bottom ? frame.height - margin - height : margin,
    };
  }

  const nameFontSize = even(frame.height * 0.045);
  const cardHeight = even(nameFontSize * 2);
  const cardWidth = even(frame.width * 0.6);
  // The name goes bottom-left, unless the logo sits there; then bottom-right.
  const nameRight = position === 'bottom-left' && logo !== null;
  return {
    logo: logoPlacement,
    nameFontSize,
    nameAlign: nameRight ? 'right' : 'left',
    nameCard: {
      width: cardWidth,
      height: cardHeight,
      x: nameRight ? frame.width - margin - cardWidth : margin,
      y: frame.height - margin - cardHeight,
    },
  };
}
