import assert from 'node:assert/strict';
import { join } from 'node:path';
import { listenValue } from './addresses.js';
import { envOfStage, finalStage, readDockerfile } from './dockerfile.js';
import { icecastListens, runIcecastEntrypoint } from './icecast-entrypoint.js';
import { nginxListens, renderNginxConfig } from './nginx-entrypoint.js';
import { configuredValues, listeners, type ServiceConfig } from './service-config.js';

const root = process.cwd();

/** Ports third-party images listen on by default (their own documentation). */
const IMAGE_PORTS: Record<string, number> = { postgres: 5432, redis: 6379, nats: 4222 };

/** What runs in a container: one of our services, our nginx-rtmp or Icecast, or a third-party image. */
export type Workload =
  | { kind: 'service'; service: string }
  | { kind: 'nginx-rtmp' }
  | { kind: 'icecast' }
  | { kind: 'image'; image: string };

export interface Listener {
  port: number;
  /** null: every interface; else the one address it is bound to. */
  host: string | null;
  /** What sets it, for the messages. */
  source: string;
}

export const dockerfilePath = (name: string) => join(root, 'docker', `${name}.Dockerfile`);

/** The variables the image itself sets (its final stage's ENV). */
export function imageEnvironment(name: string): Map<string, string> {
  return envOfStage(finalStage(readDockerfile(dockerfilePath(name))));
}

/** The image's environment overlaid with the deployment's: what the process really sees. */
export function processEnvironment(workload: Workload, deployment: ReadonlyMap<string, string>): Map<string, string> {
  const image = workload.kind === 'service' ? workload.service : workload.kind === 'image' ? null : workload.kind;
  const fromImage = image === null ? new Map<string, string>() : imageEnvironment(image);
  return new Map([...fromImage, ...deployment]);
}

/**
 * Where the process listens, as it would configure itself from `deployment`: a service from its config
 * (*_PORT with *_HOST), nginx-rtmp from the `listen` directives of the configuration its entrypoint
 * renders, Icecast from the `<listen-socket>`s of its rendered configuration, a third-party image on its
 * documented port (NATS also on its monitoring port, `-m`).
 */
export function listenersOf(
  workload: Workload,
  deployment: ReadonlyMap<string, string>,
  command: readonly string[],
  configs: ReadonlyMap<string, ServiceConfig>,
): Listener[] {
  const environment = processEnvironment(workload, deployment);
  if (workload.kind === 'service') {
    const config = configs.get(workload.service);
    assert.ok(config, `no configuration loaded for ${workload.service}`);
    return listeners(config, configuredValues(config, environment)).map(({ variable, host, port }) => ({ port, host, source: variable }));
  }
  if (workload.kind === 'nginx-rtmp') {
    const rendered = renderNginxConfig(environment);
    assert.equal(rendered.code, 0, `nginx-rtmp's entrypoint refuses to start: ${rendered.stderr}`);
    return nginxListens(rendered.config).map((value) => {
      const listen = listenValue(value);
      assert.ok(listen, `nginx listens on something that is not a port: ${value}`);
      return { port: listen.port, host: listen.host, source: `listen ${value}` };
    });
  }
  if (workload.kind === 'icecast') {
    const rendered = runIcecastEntrypoint(environment);
    assert.equal(rendered.code, 0, `Icecast's entrypoint refuses to start: ${rendered.stderr}`);
    return icecastListens(rendered.config).map(({ port, bindAddress }) => {
      const listen = listenValue(port);
      assert.ok(listen && listen.host === null, `Icecast listens on something that is not a port: ${port}`);
      const host = bindAddress === null || ['0.0.0.0', '::'].includes(bindAddress) ? null : bindAddress;
      return { port: listen.port, host, source: `<listen-socket> ${port} on ${bindAddress ?? '*'}` };
    });
  }
  const name = /^(?:.*\/)?([a-z0-9-]+)(?::|$)/.exec(workload.image)?.[1] ?? '';
  const port = IMAGE_PORTS[name];
  // An image whose port this test does not know (the ffmpeg build, which runs nothing) listens nowhere.
  const found: Listener[] = port === undefined ? [] : [{ port, host: null, source: `${name}'s default port` }];
  const monitor = command.indexOf('-m');
  if (name === 'nats' && monitor >= 0) found.push({ port: Number(command[monitor + 1]), host: null, source: 'nats -m' });
  return found;
}
