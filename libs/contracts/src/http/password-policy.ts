import { z } from 'zod';

/** Bounds the work of one scrypt call; nobody types more. */
export const MAX_PASSWORD_LENGTH = 1024;
export const MIN_PASSWORD_LENGTH = 12;

/** A password somebody sets (a new user's, a changed one). */
export const newPasswordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`);

/** A password somebody presents (login, the current one). */
export const presentedPasswordSchema = (name: string) =>
  z.string().min(1, `${name} is required`).max(MAX_PASSWORD_LENGTH, `${name} is longer than ${MAX_PASSWORD_LENGTH} characters`);
