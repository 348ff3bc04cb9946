import { z } from 'zod';
import { defineCommand } from '../envelope.js';
import { vjSettingsSchema } from '../branding/vj-settings.js';
import { logoPositionSchema } from '../domain.js';

export const logoSchema = z.object({
  /** Content-addressed file name inside the shared asset store (sha256 + extension). */
  assetName: z.string().regex(/^[a-f0-9]{64}\.(png|jpg)$/),
  mimeType: z.enum(['image/png', 'image/jpeg']),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  sizeBytes: z.number().int().positive(),
});
export type Logo = z.infer<typeof logoSchema>;

export const brandingSchema = z.object({
  organizationName: z.string(),
  titleTemplate: z.string(),
  descriptionTemplate: z.string(),
  /** What the slate says while the DJ is away; the title's placeholders. */
  slateTemplate: z.string(),
  logoPosition: logoPositionSchema,
  logo: logoSchema.nullable(),
  /** The automated VJ of DJs who send sound alone. */
  vj: vjSettingsSchema,
  updatedAt: z.iso.datetime(),
});
export type Branding = z.infer<typeof brandingSchema>;

export const brandingUpdateSchema = z
  .object({
    organizationName: z.string().trim().min(1, 'organizationName must not be empty').max(100),
    titleTemplate: z.string().trim().min(1, 'titleTemplate must not be empty').max(200),
    descriptionTemplate: z.string().max(5000, 'descriptionTemplate is longer than 5000 characters'),
    slateTemplate: z.string().trim().min(1, 'slateTemplate must not be empty').max(120, 'slateTemplate is longer than 120 characters'),
    logoPosition: logoPositionSchema,
    vj: vjSettingsSchema,
  })
  .partial();

export const GetBranding = defineCommand('publisher', 'branding.get.v1', z.object({}), brandingSchema);
export const UpdateBranding = defineCommand('publisher', 'branding.update.v1', brandingUpdateSchema, brandingSchema);
export const SetBrandingLogo = defineCommand('publisher', 'branding.set-logo.v1', logoSchema, brandingSchema);
