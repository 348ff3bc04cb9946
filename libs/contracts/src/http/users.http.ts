import { z } from 'zod';
import { roleSchema } from './auth.http.js';
import { newPasswordSchema } from './password-policy.js';

export const userCreateSchema = z
  .strictObject({
    email: z.email('email must be an e-mail address').transform((email) => email.toLowerCase()),
    role: roleSchema,
    djId: z.uuid('djId must be a UUID').nullable().optional(),
    /** Without one, a password is generated and returned once. */
    password: newPasswordSchema.optional(),
  })
  .superRefine((user, context) => {
    if (user.role === 'dj' && !user.djId) context.addIssue({ code: 'custom', path: ['djId'], message: 'a user with role dj needs the djId of its DJ' });
    if (user.role !== 'dj' && user.djId) context.addIssue({ code: 'custom', path: ['djId'], message: `only role dj is linked to a DJ, not role ${user.role}` });
  });
export type UserCreate = z.output<typeof userCreateSchema>;

export const userPatchSchema = z
  .strictObject({
    role: roleSchema.optional(),
    disabled: z.boolean().optional(),
    /** Only with role dj (given here or already held). */
    djId: z.uuid('djId must be a UUID').nullable().optional(),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), { message: 'nothing to change: give role, disabled or djId' });
export type UserPatch = z.output<typeof userPatchSchema>;

export const userViewSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  role: roleSchema,
  djId: z.uuid().nullable(),
  disabled: z.boolean(),
  createdAt: z.iso.datetime(),
});
export type UserView = z.output<typeof userViewSchema>;

export const createdUserSchema = userViewSchema.extend({
  /** Only when it was generated: shown here once, stored only as its scrypt hash. */
  password: z.string().optional(),
});
export type CreatedUser = z.output<typeof createdUserSchema>;
