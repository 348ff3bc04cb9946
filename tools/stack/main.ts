// `npm start`: the whole system in the foreground, until Ctrl-C or SIGTERM.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stack } from '@streamcaster/stack';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const env = process.env;
const varDir = resolve(root, env.STREAMCASTER_VAR_DIR ?? 'var');

/** Secrets generated at first start and kept (mode 600), unless the environment provides them. */
interface Secrets {
  jwtSecret: string;
  secretKey: string;
  hooksSecret: string;
  icecastReaderPassword: string;
  icecastAdminPassword: string;
  icecastRelayPassword: string;
}

function persistentSecrets(): Secrets {
  const file = join(varDir, 'secrets.json');
  mkdirSync(varDir, { recursive: true });
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Secrets>) : {};
  // Each secret is generated once and kept; one added by a later version joins the file.
  const secrets: Secrets = {
    jwtSecret: stored.jwtSecret ?? randomBytes(32).toString('base64url'),
    secretKey: stored.secretKey ?? randomBytes(32).toString('base64'),
    hooksSecret: stored.hooksSecret ?? randomBytes(24).toString('base64url'),
    icecastReaderPassword: stored.icecastReaderPassword ?? randomBytes(24).toString('base64url'),
    icecastAdminPassword: stored.icecastAdminPassword ?? randomBytes(24).toString('base64url'),
    icecastRelayPassword: stored.icecastRelayPassword ?? randomBytes(24).toString('base64url'),
  };
  if ((Object.keys(secrets) as Array<keyof Secrets>).some((name) => stored[name] === undefined)) {
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return {
    jwtSecret: env.JWT_SECRET ?? secrets.jwtSecret,
    secretKey: env.STREAMCASTER_SECRET_KEY ?? secrets.secretKey,
    hooksSecret: env.INGEST_HOOKS_SECRET ?? secrets.hooksSecret,
    icecastReaderPassword: env.ICECAST_READER_PASSWORD ?? secrets.icecastReaderPassword,
    icecastAdminPassword: env.ICECAST_ADMIN_PASSWORD ?? secrets.icecastAdminPassword,
    icecastRelayPassword: env.ICECAST_RELAY_PASSWORD ?? secrets.icecastRelayPassword,
  };
}

/**
 * NATS_URL and REDIS_URL, with their credentials, of the servers `npm start` started itself
 * (scripts/lib/common.sh writes var/backbone.env only for servers that ask for credentials).
 */
function backboneUrls(): { NATS_URL?: string; REDIS_URL?: string } {
  const file = join(varDir, 'backbone.env');
  if (!existsSync(file)) return {};
  const lines = readFileSync(file, 'utf8').split('\n');
  const value = (name: string) => lines.find((line) => line.startsWith(`${name}=`))?.slice(name.length + 1) || undefined;
  return { NATS_URL: value('NATS_URL'), REDIS_URL: value('REDIS_URL') };
}

const port = (name: string, fallback: number) => Number(env[name] ?? fallback);
const host = env.PUBLIC_HOST ?? 'localhost';
const { icecastReaderPassword, icecastAdminPassword, icecastRelayPassword, ...secrets } = persistentSecrets();
const backbone = backboneUrls();
const icecastPort = port('ICECAST_PORT', 8000);
const stack = new Stack({
  root,
  runDir: join(varDir, 'run'),
  dataDir: resolve(root, env.STREAMCASTER_DATA_DIR ?? join(varDir, 'data')),
  gatewayPort: port('GATEWAY_PORT', 8080),
  hooksPort: port('INGEST_HOOKS_PORT', 8081),
  rtmpPort: port('RTMP_PORT', 1935),
  rtmpStatPort: port('RTMP_STAT_PORT', 8089),
  databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/streamcaster',
  natsUrl: env.NATS_URL ?? backbone.NATS_URL ?? 'nats://127.0.0.1:4222',
  redisUrl: env.REDIS_URL ?? backbone.REDIS_URL ?? 'redis://127.0.0.1:6379',
  subjectPrefix: env.NATS_SUBJECT_PREFIX ?? '',
  queuePrefix: env.QUEUE_PREFIX ?? 'streamcaster',
  ...secrets,
  icecast: { port: icecastPort, readerPassword: icecastReaderPassword, adminPassword: icecastAdminPassword, relayPassword: icecastRelayPassword },
  env: {
    // The platforms' OAuth redirect URIs start with it: the dashboard's address, whatever port it has.
    PUBLIC_URL: env.PUBLIC_URL ?? `http://${host}:${port('GATEWAY_PORT', 8080)}`,
    // Shown to DJs on the DJs page: where Traktor connects.
    PUBLIC_ICECAST_URL: env.PUBLIC_ICECAST_URL ?? `http://${host}:${icecastPort}`,
  },
  onLine: (source, line) => process.stdout.write(`${source.padEnd(10)} | ${line}\n`),
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping StreamCaster...`);
  await stack.stop();
  console.log('stopped; no process left behind.');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  await stack.start();
} catch (error) {
  console.error(`StreamCaster could not start: ${(error as Error).message}`);
  await stack.stop();
  process.exit(1);
}

const rtmp = `rtmp://${host}:${stack.options.rtmpPort}`;
console.log(`
StreamCaster is up.
  Dashboard         http://${host}:${stack.options.gatewayPort}/
  API               http://${host}:${stack.options.gatewayPort}/api   (OpenAPI: /api/docs)
  Admin login       ${env.STREAMCASTER_ADMIN_EMAIL ?? 'admin@streamcaster.local'} — password: STREAMCASTER_ADMIN_PASSWORD, or the one printed by the gateway at its first start
  Ingest (Live)     ${rtmp}/live/<DJ stream key>
  Ingest (Test)     ${rtmp}/test/<DJ stream key>
  Traktor (Icecast) ${host}:${icecastPort}, mount /live/<DJ slug> or /test/<DJ slug>, password: the DJ's stream key
  Logs              ${stack.logDir}
Ctrl-C stops everything.`);
