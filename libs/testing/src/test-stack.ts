import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { StackOptions } from '@streamcaster/stack';
import { freePort } from './free-port.js';
import type { TestEnvironment } from './test-environment.js';

/** Options for a whole-system Stack inside a test environment, on free ports. */
export async function testStackOptions(environment: TestEnvironment, runDir: string, env: NodeJS.ProcessEnv): Promise<StackOptions> {
  return {
    root: resolve('.'),
    runDir,
    dataDir: environment.dataDir,
    gatewayPort: await freePort(),
    hooksPort: await freePort(),
    hooksSecret: environment.env.INGEST_HOOKS_SECRET!,
    rtmpPort: await freePort(),
    rtmpStatPort: await freePort(),
    icecast: {
      port: await freePort(),
      readerPassword: randomBytes(18).toString('base64url'),
      adminPassword: randomBytes(18).toString('base64url'),
      relayPassword: randomBytes(18).toString('base64url'),
    },
    databaseUrl: environment.databaseUrl,
    natsUrl: environment.natsUrl,
    redisUrl: environment.redisUrl,
    subjectPrefix: environment.subjectPrefix,
    queuePrefix: environment.queuePrefix,
    jwtSecret: environment.env.JWT_SECRET!,
    secretKey: environment.env.STREAMCASTER_SECRET_KEY!,
    metricsPorts: 'free',
    env,
  };
}
