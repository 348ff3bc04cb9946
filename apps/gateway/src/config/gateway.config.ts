import { z } from 'zod';
import { commonConfigFields, databaseUrlField, field, loadConfig, milliseconds, port, type ConfigValues } from '@streamcaster/service-kit';

export const gatewayConfigFields = {
  ...commonConfigFields,
  databaseUrl: databaseUrlField,
  host: field('GATEWAY_HOST', z.string().min(1).default('0.0.0.0'), 'address the HTTP API listens on'),
  port: field('GATEWAY_PORT', port(8080), 'port of the public HTTP API and the dashboard'),
  jwtSecret: field(
    'JWT_SECRET',
    z.string().min(32, 'must be at least 32 characters'),
    'secret that signs access tokens',
    true,
  ),
  jwtTtl: field('JWT_TTL', z.string().regex(/^\d+[smhd]$/, 'must look like 15m, 12h or 7d').default('12h'), 'lifetime of an access token'),
  adminEmail: field('STREAMCASTER_ADMIN_EMAIL', z.email().default('admin@streamcaster.local'), 'e-mail of the first admin, created at first start'),
  adminPassword: field(
    'STREAMCASTER_ADMIN_PASSWORD',
    z.string().min(12, 'must be at least 12 characters').optional(),
    'password of the first admin; when unset one is generated and printed once',
    true,
  ),
  publicRtmpUrl: field(
    'PUBLIC_RTMP_URL',
    z.string().regex(/^rtmps?:\/\/[^/]+$/, 'must be rtmp://host:port without a path').default('rtmp://localhost:1935'),
    'how DJs reach the RTMP ingest, for the ingest URLs shown to them',
  ),
  ingestAttachTimeoutMs: field(
    'INGEST_ATTACH_TIMEOUT_MS',
    milliseconds(4_000),
    'longest a DJ\'s publish is held until the transcoder listens on the stream',
  ),
  rtmpStatUrl: field(
    'RTMP_STAT_URL',
    z.url().default('http://127.0.0.1:8089/stat'),
    'nginx-rtmp statistics, asked whether a DJ whose session looks open really still publishes',
  ),
  ingestHooksHost: field(
    'INGEST_HOOKS_HOST',
    z.string().min(1).default('127.0.0.1'),
    'address of the internal listener for the nginx-rtmp hooks (loopback or the internal network, never public)',
  ),
  ingestHooksPort: field('INGEST_HOOKS_PORT', port(8081), 'port of the internal listener for the nginx-rtmp hooks'),
  ingestHooksSecret: field(
    'INGEST_HOOKS_SECRET',
    z.string().min(24, 'must be at least 24 characters'),
    'shared secret that nginx-rtmp sends with every hook (its rendered config holds it)',
    true,
  ),
};

export type GatewayConfigValues = ConfigValues<typeof gatewayConfigFields>;

/** Injected by class: `constructor(private readonly config: GatewayConfig)`. */
export abstract class GatewayConfig {}
export interface GatewayConfig extends GatewayConfigValues {}

export function loadGatewayConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  return loadConfig('gateway', gatewayConfigFields, env);
}
