import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type ConfigField, type ConfigFields } from '@streamcaster/service-kit';
import { listenValue } from './addresses.js';

/**
 * A service's configuration as its own code defines it: the field objects of
 * apps/<service>/src/config/<service>.config.ts, loaded from the build. What the deployment gives a
 * service is checked against these, so a variable renamed or added in the code is seen here at once.
 */
export interface ServiceConfig {
  service: string;
  fields: ConfigFields;
  /** Every variable the service reads. */
  variables: Set<string>;
}

export async function serviceConfig(service: string): Promise<ServiceConfig> {
  const compiled = new URL(`../../apps/${service}/src/config/${service}.config.js`, import.meta.url);
  assert.ok(existsSync(fileURLToPath(compiled)), `apps/${service}/src/config/${service}.config.ts does not exist (or was not built)`);
  const module = (await import(compiled.href)) as Record<string, unknown>;
  const fields: ConfigFields = {};
  for (const [exported, value] of Object.entries(module)) {
    if (!exported.endsWith('ConfigFields') || typeof value !== 'object' || value === null) continue;
    for (const [key, field] of Object.entries(value)) {
      if (isConfigField(field)) fields[key] = field;
    }
  }
  assert.ok(Object.keys(fields).length > 0, `apps/${service}/src/config/${service}.config.ts exports no *ConfigFields`);
  return { service, fields, variables: new Set(Object.values(fields).map((field) => field.env)) };
}

function isConfigField(value: unknown): value is ConfigField {
  return typeof value === 'object' && value !== null && typeof (value as ConfigField).env === 'string' && 'schema' in value;
}

/** Variables without a default: the service refuses to start when they are unset. */
export function requiredVariables(config: ServiceConfig): string[] {
  return Object.values(config.fields)
    .filter((field) => !field.schema.safeParse(undefined).success)
    .map((field) => field.env);
}

/** The default of a variable, as text (undefined when it has none). */
export function defaultOf(config: ServiceConfig, variable: string): string | undefined {
  const field = Object.values(config.fields).find((candidate) => candidate.env === variable);
  const parsed = field?.schema.safeParse(undefined);
  return parsed?.success && parsed.data !== undefined ? String(parsed.data) : undefined;
}

/**
 * What the service makes of an environment: its validated configuration, by variable name, exactly as
 * it would boot with it. Fails with the service's own message when it would refuse to start.
 */
export function configuredValues(config: ServiceConfig, environment: ReadonlyMap<string, string>): Map<string, unknown> {
  let values: Record<string, unknown>;
  try {
    values = loadConfig(config.service, config.fields, Object.fromEntries(environment));
  } catch (error) {
    if (error instanceof ConfigError) assert.fail(`${config.service} would refuse to start:\n${error.message}`);
    throw error;
  }
  return new Map(Object.entries(config.fields).map(([key, field]) => [field.env, values[key]]));
}

/**
 * The addresses the service listens on: each *_PORT variable, with the *_HOST variable beside it
 * (GATEWAY_PORT with GATEWAY_HOST, INGEST_HOOKS_PORT with INGEST_HOOKS_HOST); host null means every
 * interface.
 */
export function listeners(config: ServiceConfig, configured: ReadonlyMap<string, unknown>): Array<{ variable: string; host: string | null; port: number }> {
  return [...configured]
    .filter(([variable]) => variable.endsWith('_PORT'))
    .map(([variable, value]) => {
      const host = configured.get(variable.replace(/_PORT$/, '_HOST'));
      const port = listenValue(String(value));
      assert.ok(port, `${config.service}: ${variable} is not a port: ${String(value)}`);
      return { variable, host: typeof host === 'string' && !['0.0.0.0', '::'].includes(host) ? host : null, port: port.port };
    });
}
