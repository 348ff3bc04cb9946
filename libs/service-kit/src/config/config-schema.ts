import { z } from 'zod';

/** One environment variable: its schema, what it is for, and whether it may be printed. */
export interface ConfigField<T extends z.ZodType = z.ZodType> {
  env: string;
  schema: T;
  description: string;
  sensitive?: boolean;
}

export type ConfigFields = Record<string, ConfigField>;
export type ConfigValues<F extends ConfigFields> = { readonly [K in keyof F]: z.output<F[K]['schema']> };

export function field<T extends z.ZodType>(env: string, schema: T, description: string, sensitive = false): ConfigField<T> {
  return { env, schema, description, sensitive };
}

export class ConfigError extends Error {
  constructor(readonly service: string, readonly problems: string[]) {
    super(`${service}: invalid configuration\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates every field at once, so that boot fails fast with the whole list of problems,
 * each naming its variable. Features receive the typed result, never `process.env`.
 */
export function loadConfig<F extends ConfigFields>(service: string, fields: F, env: NodeJS.ProcessEnv): ConfigValues<F> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, definition] of Object.entries(fields)) {
    const raw = env[definition.env];
    const parsed = definition.schema.safeParse(raw === '' ? undefined : raw);
    if (parsed.success) {
      values[key] = parsed.data;
    } else {
      const shown = raw === undefined ? 'unset' : definition.sensitive ? 'set (hidden)' : JSON.stringify(raw);
      const reason = parsed.error.issues.map((issue) => issue.message).join('; ');
      problems.push(`${definition.env} (${definition.description}) is ${shown}: ${reason}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(service, problems);
  return values as ConfigValues<F>;
}

/** Numbers arrive as strings from the environment. */
export const port = (fallback: number) => z.coerce.number().int().min(1).max(65_535).default(fallback);
export const milliseconds = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
export const url = (protocols: string[], fallback?: string) => {
  const schema = z.string().refine((value) => protocols.some((protocol) => value.startsWith(`${protocol}://`)), {
    message: `must start with ${protocols.map((protocol) => `${protocol}://`).join(' or ')}`,
  });
  return fallback === undefined ? schema : schema.default(fallback);
};
