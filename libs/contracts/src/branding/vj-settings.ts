import { z } from 'zod';

/**
 * The automated VJ's settings, part of the branding: which scenes it may use (the machine's probe
 * picks the best of them it sustains), the palette its looks take their tints from, and how many
 * beats a look stays on air (it changes on the phrase starts of the beat it follows).
 */

/** ffmpeg's audio visualisations: the constant-Q spectrum, the stereo vector scope, the scrolling histogram. */
export const VJ_SCENE_NAMES = ['spectrum', 'scope', 'histogram'] as const;
export const vjSceneSchema = z.enum(VJ_SCENE_NAMES);
export type VjSceneName = z.infer<typeof vjSceneSchema>;

/**
 * Each palette's tints (hues, degrees), one per look in turn. Rainbow keeps consecutive looks at
 * least 90° apart; warm and cool stay in their half of the wheel, and their looks differ in
 * saturation too.
 */
export const VJ_PALETTES = {
  rainbow: [200, 320, 80, 190, 300, 50],
  warm: [10, 45, 330, 25, 350, 55],
  cool: [200, 260, 170, 230, 285, 150],
} as const satisfies Record<string, readonly number[]>;
export const vjPaletteSchema = z.enum(Object.keys(VJ_PALETTES) as [keyof typeof VJ_PALETTES, ...(keyof typeof VJ_PALETTES)[]]);
export type VjPalette = z.infer<typeof vjPaletteSchema>;

export const VJ_PHRASE_BEATS = [4, 8, 16, 32, 64] as const;

export const vjSettingsSchema = z.object({
  scenes: z
    .array(vjSceneSchema)
    .min(1, 'at least one VJ scene must be on')
    .refine((scenes) => new Set(scenes).size === scenes.length, 'each VJ scene may be listed once'),
  palette: vjPaletteSchema,
  phraseBeats: z.union(VJ_PHRASE_BEATS.map((beats) => z.literal(beats)) as [z.ZodLiteral<4>, z.ZodLiteral<8>, z.ZodLiteral<16>, z.ZodLiteral<32>, z.ZodLiteral<64>], {
    error: 'phraseBeats must be 4, 8, 16, 32 or 64',
  }),
});
export type VjSettings = z.infer<typeof vjSettingsSchema>;

export const DEFAULT_VJ_SETTINGS: VjSettings = { scenes: [...VJ_SCENE_NAMES], palette: 'rainbow', phraseBeats: 16 };
