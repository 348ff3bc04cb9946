import { z } from 'zod';
import { newPasswordSchema, presentedPasswordSchema } from './password-policy.js';

/**
 * admin: everything. operator: runs broadcasts and sees everything, but no users and no secrets.
 * dj: a user linked to one DJ, who sees only that DJ, its broadcasts and recordings.
 */
export const ROLES = ['admin', 'operator', 'dj'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

export const loginSchema = z.object({
  email: z.string().trim().min(1, 'email is required'),
  password: presentedPasswordSchema('password'),
});
export type LoginRequest = z.input<typeof loginSchema>;

export const passwordChangeSchema = z
  .object({ currentPassword: presentedPasswordSchema('currentPassword'), newPassword: newPasswordSchema })
  .refine((body) => body.currentPassword !== body.newPassword, { message: 'must differ from currentPassword', path: ['newPassword'] });

export const sessionUserSchema = z.object({ id: z.uuid(), email: z.string(), role: roleSchema, djId: z.uuid().nullable() });
export type SessionUser = z.output<typeof sessionUserSchema>;

/** What login, refresh and a password change answer (the refresh token travels in its cookie). */
export const sessionSchema = z.object({ accessToken: z.string(), expiresAt: z.iso.datetime(), user: sessionUserSchema });
export type Session = z.output<typeof sessionSchema>;

/** Every error the gateway answers. */
export const apiErrorSchema = z.object({ statusCode: z.number().int(), message: z.string() });
export type ApiError = z.output<typeof apiErrorSchema>;
