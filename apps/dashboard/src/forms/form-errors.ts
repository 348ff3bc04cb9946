import type { z } from 'zod';

/** Errors of one form: per field, plus one for the form as a whole. */
export interface FormErrors {
  fields: Record<string, string>;
  form: string | null;
}

export const NO_ERRORS: FormErrors = { fields: {}, form: null };

/**
 * The client's own check, with the server's schema: each issue goes to the field its path names
 * (the first one per field wins); an issue about the whole body goes to the form.
 */
export function zodFormErrors(error: z.ZodError): FormErrors {
  const fields: Record<string, string> = {};
  let form: string | null = null;
  for (const issue of error.issues) {
    const field = issue.path[0];
    if (typeof field === 'string') fields[field] ??= issue.message;
    else form ??= issue.message;
  }
  return { fields, form };
}

/**
 * Where the server's refusal belongs. The gateway answers `{ statusCode, message }`; a validation
 * message is its issues joined by "; ", each `path: message` ("name: name must not be empty"), and a
 * service's own refusal starts with the field it is about ("url must be an rtmp://…"). Each part goes
 * next to the field it names; anything else ("a DJ with that name exists") goes to the form.
 */
export function serverFormErrors(message: string, fieldNames: readonly string[]): FormErrors {
  const known = new Set(fieldNames);
  // The longest name first, so that `streamKey` is not taken for a field `stream`.
  const byLength = [...fieldNames].sort((a, b) => b.length - a.length);
  const fields: Record<string, string> = {};
  const rest: string[] = [];
  for (const part of message.split('; ')) {
    const pathed = /^([\w.]+): (.+)$/s.exec(part);
    const pathField = pathed?.[1]!.split('.').find((segment) => known.has(segment));
    if (pathed && pathField) {
      fields[pathField] ??= pathed[2]!;
      continue;
    }
    const leading = byLength.find((name) => part === name || new RegExp(`^${escapeRegExp(name)}[\\s:.,]`).test(part));
    if (leading) fields[leading] ??= part;
    else rest.push(part);
  }
  return { fields, form: rest.length > 0 ? rest.join('; ') : null };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
