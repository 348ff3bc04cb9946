import { lastLine, runOnce } from '@streamcaster/supervisor';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProgramLayout } from './overlay-layout.js';

/** Arguments that draw the DJ's name once into a transparent PNG of the card's size. */
export function nameCardArgs(layout: ProgramLayout, fontFile: string, textFile: string, outputPath: string): string[] {
  const { width, height } = layout.nameCard;
  const padding = Math.round(layout.nameFontSize / 3);
  const x = layout.nameAlign === 'right' ? `w-text_w-${padding * 2}` : String(padding * 2);
  const drawtext = [
    `fontfile=${fontFile}`,
    // The name is read from a file with expansion off: no character of a DJ's name can reach the filter syntax.
    `textfile=${textFile}`,
    'expansion=none',
    'fontcolor=white',
    `fontsize=${layout.nameFontSize}`,
    `x=${x}`,
    'y=(h-text_h)/2',
    'box=1',
    'boxcolor=black@0.55',
    `boxborderw=${padding}`,
  ].join(':');
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    '-f', 'lavfi', '-i', `color=c=black@0.0:s=${width}x${height},format=rgba`,
    '-vf', `drawtext=${drawtext}`,
    '-frames:v', '1', '-y', outputPath,
  ];
}

/**
 * Renders the name card once per broadcast. Drawing text on every frame would cost CPU for the
 * whole set; overlaying a still costs almost nothing and works the same on every GPU path.
 */
export async function renderNameCard(options: {
  ffmpegPath: string;
  fontFile: string;
  djName: string;
  layout: ProgramLayout;
  directory: string;
}): Promise<string> {
  const textFile = join(options.directory, 'dj-name.txt');
  const outputPath = join(options.directory, 'name-card.png');
  await writeFile(textFile, options.djName.replace(/[\r\n]+/g, ' '), 'utf8');
  const args = nameCardArgs(options.layout, options.fontFile, textFile, outputPath);
  const result = await runOnce(options.ffmpegPath, args, 30_000);
  if (result.code !== 0) throw new Error(`name card rendering failed: ${lastLine(result.stderr)}`);
  return outputPath;
}
