import { useCallback, useState } from 'react';
import type { z } from 'zod';
import { ApiRequestError } from '../api/api-client';
import { NO_ERRORS, serverFormErrors, zodFormErrors, type FormErrors } from './form-errors';

/**
 * A form's errors: `check` validates with the server's own schema before sending (and returns the
 * parsed value or null); `refused` places the server's refusal next to its field or on the form.
 */
export function useFormErrors(fieldNames: readonly string[]) {
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const check = useCallback(<S extends z.ZodType>(schema: S, value: unknown): z.output<S> | null => {
    const parsed = schema.safeParse(value);
    if (parsed.success) {
      setErrors(NO_ERRORS);
      return parsed.data;
    }
    setErrors(zodFormErrors(parsed.error));
    return null;
  }, []);
  const refused = useCallback(
    (error: unknown) => {
      const message = error instanceof ApiRequestError || error instanceof Error ? error.message : String(error);
      setErrors(serverFormErrors(message, fieldNames));
    },
    // fieldNames is a constant list per form
    [],
  );
  const reset = useCallback(() => setErrors(NO_ERRORS), []);
  const [busy, setBusy] = useState(false);
  /** Checks `value` with `schema`, then sends it; a refusal lands next to its field. */
  const submit = useCallback(
    async <S extends z.ZodType>(schema: S, value: unknown, send: (body: z.output<S>) => Promise<void>) => {
      const body = check(schema, value);
      if (body === null) return;
      setBusy(true);
      try {
        await send(body);
      } catch (error) {
        refused(error);
      } finally {
        setBusy(false);
      }
    },
    [check, refused],
  );
  return { errors, check, refused, reset, submit, busy, field: (name: string) => errors.fields[name] };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
