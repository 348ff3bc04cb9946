// The deployment files (docker/, infra/ffmpeg, deploy/) cannot be built or run on a machine without a
// Docker engine or a cluster, so this test reads them as compose and Kubernetes would, resolves them with
// the secrets an operator provides, and checks what each process would then get: every address it is
// given leads to a service of the deployment that listens there, every credential is the one its server
// takes, every service would boot with its environment (its own config fields decide), the rendered
// configurations of nginx-rtmp and Icecast send the hooks where the gateway listens for them, with its
// secret. YAML is read with the `yaml` package; Dockerfiles by a reader that refuses what it does not
// understand.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { renderIcecastConfig } from '@streamcaster/stack';
import { addressIn, isLoopback, type Address } from './addresses.js';
import {
  buildOf,
  commandOf,
  dependenciesOf,
  environmentOf,
  exposedOf,
  fixedAddressOf,
  flagValue,
  healthcheckOf,
  inSubnet,
  loadCompose,
  portsOf,
  stackNetwork,
  volumesOf,
  type ComposeFile,
} from './compose.js';
import { dockerIgnored, globToRegExp } from './docker-ignore.js';
import {
  baseImage,
  copies,
  copyTarget,
  envOfStage,
  execForm,
  exposedPorts,
  finalStage,
  healthcheckCommand,
  instructions,
  isNode24Image,
  readDockerfile,
  stageNamed,
  workdirAt,
} from './dockerfile.js';
import { runHealthcheck } from './healthcheck.js';
import { decodeXml, elementTexts, ICECAST_ENTRYPOINT, icecastHookCalls, runIcecastEntrypoint, unescapedAmpersands } from './icecast-entrypoint.js';
import { allInterpolationsIn, allStrings, interpolate, interpolationsIn, MissingVariableError } from './interpolation.js';
import {
  containerArgs,
  containerEnvironment,
  containerPorts,
  containersOf,
  find,
  KUSTOMIZATION,
  kubernetesDir,
  kustomization,
  loadManifests,
  podLabels,
  podSpec,
  resolvePort,
  SECRET_TEMPLATE,
  secretTemplate,
  selects,
  workloads,
  type ContainerEnvironment,
  type Manifest,
} from './kubernetes.js';
import { dockerfilePath, imageEnvironment, listenersOf, processEnvironment, type Listener, type Workload } from './listening.js';
import { hookCalls, renderNginxConfig } from './nginx-entrypoint.js';
import { OPERATOR_ENVIRONMENT, OPERATOR_SECRETS } from './operator-environment.js';
import { configuredValues, defaultOf, requiredVariables, serviceConfig, type ServiceConfig } from './service-config.js';
import { at, isRecord, scalarText, type YamlRecord } from './yaml-files.js';

const root = process.cwd();

/** The services that exist or are being written; apps/ may hold more (each with src/main.ts). */
const MINIMUM_SERVICES = ['gateway', 'publisher', 'transcoder', 'recorder'];
const NGINX_TEMPLATE = join(root, 'infra', 'nginx-rtmp', 'nginx.conf.template');
/** Icecast's status page (public, no password), which the gateway reads. */
const ICECAST_STATUS_PATH = '/status-json.xsl';
/** Every action of Icecast's URL authentication (docs/icecast.md). */
const ICECAST_HOOK_ACTIONS = ['listener_add', 'listener_remove', 'mount_add', 'mount_remove', 'stream_auth'];
/** What `npm ci` and `node tools/build.mjs` read, and so what a `COPY . .` build context must hold. */
const WORKSPACE_BUILD_INPUTS = ['package.json', 'package-lock.json', 'tsconfig.base.json', 'tsconfig.build.json', 'tools/build.mjs', 'apps', 'libs'];
/** The gateway's health endpoints (apps/gateway): liveness, and readiness of the whole system. */
const HEALTH_PATH = '/api/health';
const READY_PATH = '/api/health/ready';

function backendServices(): string[] {
  const appsDir = join(root, 'apps');
  const found = existsSync(appsDir) ? readdirSync(appsDir).filter((name) => existsSync(join(appsDir, name, 'src', 'main.ts'))) : [];
  return [...new Set([...MINIMUM_SERVICES, ...found])].sort();
}

function typeScriptFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Where the gateway serves the nginx-rtmp hooks: its global prefix, then the hooks controller. */
function gatewayHooksPath(): string {
  const sources = typeScriptFiles(join(root, 'apps', 'gateway', 'src')).map((path) => readFileSync(path, 'utf8'));
  const prefix = sources.map((source) => /setGlobalPrefix\(\s*'([^']*)'/.exec(source)?.[1]).find((found) => found !== undefined) ?? '';
  const hooks = sources.find((source) => /@Post\(\s*'publish'\s*\)/.test(source) && /@Post\(\s*'publish-done'\s*\)/.test(source));
  assert.ok(hooks, 'no gateway controller serves POST publish and publish-done');
  const controller = /@Controller\(\s*'([^']*)'/.exec(hooks)?.[1];
  assert.ok(controller !== undefined, 'the hooks controller names no path');
  return posix.join('/', prefix, controller);
}

/** The routes of the gateway's Icecast hooks controller (source, mount, listener), with the global prefix. */
function gatewayIcecastHookRoutes(): string[] {
  const sources = typeScriptFiles(join(root, 'apps', 'gateway', 'src')).map((path) => readFileSync(path, 'utf8'));
  const prefix = sources.map((source) => /setGlobalPrefix\(\s*'([^']*)'/.exec(source)?.[1]).find((found) => found !== undefined) ?? '';
  const hooks = sources.find((source) => ['source', 'mount', 'listener'].every((route) => new RegExp(`@Post\\(\\s*'${route}'\\s*\\)`).test(source)));
  assert.ok(hooks, 'no gateway controller serves POST source, mount and listener');
  const controller = /@Controller\(\s*'([^']*)'/.exec(hooks)?.[1];
  assert.ok(controller !== undefined, 'the Icecast hooks controller names no path');
  return [...hooks.matchAll(/@Post\(\s*'([^']*)'\s*\)/g)].map((route) => posix.join('/', prefix, controller, route[1] ?? ''));
}

function envExampleNames(): Set<string> | null {
  const path = join(root, '.env.example');
  if (!existsSync(path)) return null;
  const names = new Set<string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    // A commented-out assignment documents an optional variable just as well.
    const match = /^\s*(?:#\s*)?(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
    if (match?.[1]) names.add(match[1]);
  }
  return names;
}

function assertDocumented(names: Iterable<string>, what: string): void {
  const documented = envExampleNames();
  const wanted = [...new Set(names)].sort();
  assert.ok(documented, `.env.example does not exist, so it documents none of ${what}: ${wanted.join(', ')}`);
  const missing = wanted.filter((name) => !documented.has(name));
  assert.deepEqual(missing, [], `.env.example does not list ${what}: ${missing.join(', ')}`);
}

/** The deployment's values without the variables compose passes on unset (a bare key). */
function definedValues(environment: ReadonlyMap<string, string | null>): Map<string, string> {
  return new Map([...environment].filter((entry): entry is [string, string] => entry[1] !== null));
}

/**
 * Every value of an environment that names a server to connect to. PUBLIC_* variables are addresses
 * shown to people outside (the DJs' ingest URL), not connected to, and so are not among them.
 */
function addressesIn(environment: ReadonlyMap<string, string>): Array<{ variable: string; value: string; address: Address }> {
  return [...environment].flatMap(([variable, value]) => {
    if (variable.startsWith('PUBLIC_')) return [];
    const address = addressIn(value);
    return address ? [{ variable, value, address }] : [];
  });
}

/**
 * Variables whose default is an address on the machine itself (127.0.0.1, localhost), left unset: right
 * for `npm start`, wrong in a container, where loopback is the container alone.
 */
function loopbackDefaults(config: ServiceConfig, environment: ReadonlyMap<string, string>): string[] {
  return [...config.variables].filter((variable) => {
    const fallback = defaultOf(config, variable);
    const address = fallback === undefined ? undefined : addressIn(fallback);
    return address !== undefined && isLoopback(address.host) && !environment.get(variable);
  });
}

const shown = (value: string) => value.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');

let configs: Map<string, ServiceConfig>;
before(async () => {
  configs = new Map(await Promise.all(backendServices().map(async (name) => [name, await serviceConfig(name)] as const)));
});
const configOf = (name: string): ServiceConfig => {
  const config = configs.get(name);
  assert.ok(config, `no configuration for ${name}`);
  return config;
};

// ---------------------------------------------------------------------------------------------------

describe('deployment: service images', () => {
  const services = backendServices();

  for (const name of services) {
    it(`${name}: docker/${name}.Dockerfile builds with Node 24 and runs dist/apps/${name}/src/main.js`, () => {
      const dockerfile = readDockerfile(dockerfilePath(name));
      const build = stageNamed(dockerfile, 'build');
      assert.ok(build, 'no stage named "build"');
      assert.ok(isNode24Image(baseImage(dockerfile, build)), `the build stage starts from ${build.from}, not a node:24 image`);
      for (const stage of dockerfile.stages) {
        const image = baseImage(dockerfile, stage);
        if (/^(?:docker\.io\/)?(?:library\/)?node:/.test(image)) assert.ok(isNode24Image(image), `stage ${stage.name} uses ${image}`);
      }
      const runs = instructions(build, 'RUN').map((run) => run.args).join('\n');
      for (const step of ['npm ci', 'node tools/build.mjs', 'npm prune --omit=dev']) {
        assert.ok(runs.includes(step), `the build stage does not run "${step}"`);
      }

      const runtime = finalStage(dockerfile);
      assert.notEqual(runtime, build, 'the image must not ship the build stage (compilers, dev dependencies)');
      // A runtime stage on another base (the transcoder's ffmpeg image) brings Node in by copying it.
      const nodeCopied = copies(runtime).some((copy) => {
        if (copy.from === null || !copy.sources.includes('/usr/local/bin/node')) return false;
        const stage = stageNamed(dockerfile, copy.from);
        return isNode24Image(stage ? baseImage(dockerfile, stage) : copy.from);
      });
      assert.ok(
        isNode24Image(baseImage(dockerfile, runtime)) || nodeCopied,
        'the runtime stage neither starts from node:24 nor copies node from a node:24 stage',
      );

      const command = execForm(instructions(runtime, 'CMD').at(-1), 'CMD');
      assert.equal(command[0], 'node', `CMD runs ${command[0]}, not node`);
      assert.equal(command.at(-1), `dist/apps/${name}/src/main.js`);

      // The entry point resolves @streamcaster/* through dist/node_modules and loads as ESM because of the
      // root package.json: the runtime needs dist/, the production node_modules and package.json, all
      // from the build stage and side by side in the folder CMD runs from.
      const workdir = workdirAt(runtime, Number.MAX_SAFE_INTEGER);
      for (const wanted of ['dist', 'node_modules', 'package.json']) {
        const copied = copies(runtime).find(
          (copy) =>
            copy.from === 'build' &&
            copy.sources.length === 1 &&
            posix.basename(copy.sources[0] ?? '') === wanted &&
            copyTarget(runtime, copy, copy.sources[0] ?? '') === posix.join(workdir, wanted),
        );
        assert.ok(copied, `the runtime stage does not copy ${wanted} from the build stage to ${posix.join(workdir, wanted)}`);
        const source = copied.sources[0] ?? '';
        assert.equal(source, posix.join(workdirAt(build, Number.MAX_SAFE_INTEGER), wanted), `${wanted} is copied from ${source}, not from the build's folder`);
      }

      const user = instructions(runtime, 'USER').at(-1)?.args.split(':')[0];
      assert.ok(user, 'the runtime stage sets no USER: the service would run as root');
      assert.ok(!['root', '0'].includes(user), `the runtime stage runs as ${user}`);

      assert.equal(envOfStage(runtime).get('STREAMCASTER_DATA_DIR'), '/data', 'STREAMCASTER_DATA_DIR must default to /data');
      const volumes = instructions(runtime, 'VOLUME').flatMap((volume) =>
        volume.args.startsWith('[') ? (JSON.parse(volume.args) as string[]) : volume.args.split(/\s+/),
      );
      assert.ok(volumes.includes('/data'), 'the runtime stage declares no VOLUME /data');
    });
  }

  it('every service Dockerfile has the same build stage, so BuildKit builds and caches it once', () => {
    let first: { service: string; text: string } | undefined;
    for (const name of services) {
      const build = stageNamed(readDockerfile(dockerfilePath(name)), 'build');
      assert.ok(build, `docker/${name}.Dockerfile has no build stage`);
      first ??= { service: name, text: build.text };
      assert.equal(build.text, first.text, `the build stage of ${name} differs from that of ${first.service}`);
    }
  });

  it('the transcoder starts from the GPU ffmpeg image and its ffmpeg has the NVIDIA capabilities it needs', () => {
    const dockerfile = readDockerfile(dockerfilePath('transcoder'));
    const runtime = finalStage(dockerfile);
    const ffmpegImage = readFileSync(dockerfilePath('transcoder'), 'utf8').match(/^ARG FFMPEG_IMAGE=(\S+)/m)?.[1];
    assert.ok(ffmpegImage, 'docker/transcoder.Dockerfile declares no ARG FFMPEG_IMAGE with a default');
    assert.equal(runtime.from, ffmpegImage, 'the transcoder runtime must start FROM ${FFMPEG_IMAGE}');

    const ffmpeg = readDockerfile(join(root, 'infra', 'ffmpeg', 'Dockerfile'));
    const capabilities = envOfStage(finalStage(ffmpeg)).get('NVIDIA_DRIVER_CAPABILITIES')?.split(',') ?? [];
    for (const capability of ['compute', 'video']) {
      assert.ok(capabilities.includes(capability), `infra/ffmpeg sets NVIDIA_DRIVER_CAPABILITIES without ${capability}`);
    }
  });

  it("the gateway image's health check asks GET /api/health and fails on anything but success", async () => {
    const command = healthcheckCommand(finalStage(readDockerfile(dockerfilePath('gateway'))));
    assert.ok(command, 'docker/gateway.Dockerfile has no HEALTHCHECK');
    const healthy = await runHealthcheck(['CMD', ...command], 'GATEWAY_PORT', 200);
    assert.deepEqual(healthy.paths, [HEALTH_PATH]);
    assert.equal(healthy.code, 0);
    assert.notEqual((await runHealthcheck(['CMD', ...command], 'GATEWAY_PORT', 503)).code, 0);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('deployment: compose stack', () => {
  const services = backendServices();
  let compose: ComposeFile;
  before(() => {
    compose = loadCompose('compose.yaml');
  });

  const service = (name: string): YamlRecord => {
    const found = compose.services.get(name);
    assert.ok(found, `deploy/compose.yaml has no service "${name}" (it has: ${[...compose.services.keys()].join(', ')})`);
    return found;
  };
  /** What runs in a compose service: known from the Dockerfile it is built from, or its image. */
  const workloadOf = (name: string): Workload => {
    const definition = service(name);
    if (definition['build'] === undefined) return { kind: 'image', image: scalarText(definition['image']) ?? '' };
    const dockerfile = relative(root, buildOf(definition, name).dockerfile);
    const built = /^docker\/(.+)\.Dockerfile$/.exec(dockerfile)?.[1];
    if (built === 'nginx-rtmp') return { kind: 'nginx-rtmp' };
    if (built === 'icecast') return { kind: 'icecast' };
    if (built && services.includes(built)) return { kind: 'service', service: built };
    return { kind: 'image', image: name };
  };
  const environment = (name: string) => definedValues(environmentOf(service(name)));
  const listening = (name: string): Listener[] => listenersOf(workloadOf(name), environment(name), commandOf(service(name)), configs);
  /** Which service a host name (or fixed address) of the stack's network reaches. */
  const serviceAt = (host: string): string | undefined =>
    compose.services.has(host) ? host : [...compose.services].find(([, definition]) => fixedAddressOf(definition) === host)?.[0];
  const nginxConfig = () => {
    const rendered = renderNginxConfig(processEnvironment({ kind: 'nginx-rtmp' }, environment('nginx-rtmp')));
    assert.equal(rendered.code, 0, `nginx-rtmp's entrypoint refuses to start with compose's variables: ${rendered.stderr}`);
    return rendered.config;
  };
  const icecastConfig = () => {
    const rendered = runIcecastEntrypoint(processEnvironment({ kind: 'icecast' }, environment('icecast')));
    assert.equal(rendered.code, 0, `Icecast's entrypoint refuses to start with compose's variables: ${rendered.stderr}`);
    return rendered.config;
  };

  for (const name of services) {
    it(`${name}: a compose service built from docker/${name}.Dockerfile, on the shared data volume`, () => {
      const { context, dockerfile } = buildOf(service(name), name);
      assert.equal(relative(root, context), '', `${name} must be built with the repository root as context`);
      assert.equal(relative(root, dockerfile), join('docker', `${name}.Dockerfile`));
      const mounts = volumesOf(service(name));
      assert.ok(
        mounts.some((mount) => mount.source === 'data' && mount.target === '/data'),
        `${name} does not mount the data volume at /data`,
      );
      assert.equal(processEnvironment(workloadOf(name), environment(name)).get('STREAMCASTER_DATA_DIR'), '/data', `${name} looks for its data elsewhere than where the volume is mounted`);
    });
  }

  it('declares the data volume and every volume a service mounts by name', () => {
    const declared = compose.resolved['volumes'];
    assert.ok(isRecord(declared), 'compose.yaml declares no volumes');
    assert.ok(Object.hasOwn(declared, 'data'), 'the shared volume "data" is not declared');
    for (const [name, definition] of compose.services) {
      for (const mount of volumesOf(definition)) {
        if (/^[A-Za-z0-9][\w.-]*$/.test(mount.source)) {
          assert.ok(Object.hasOwn(declared, mount.source), `${name} mounts the undeclared volume ${mount.source}`);
        }
      }
    }
  });

  it('builds every image from a Dockerfile that exists, copying only files the build context holds', () => {
    for (const [name, definition] of compose.services) {
      if (definition['build'] === undefined) continue;
      const { context, dockerfile } = buildOf(definition, name);
      const dockerfileData = readDockerfile(dockerfile);
      const ignoreFile = [`${dockerfile}.dockerignore`, join(context, '.dockerignore')].find((path) => existsSync(path)) ?? null;
      for (const stage of dockerfileData.stages) {
        for (const copy of copies(stage)) {
          if (copy.from !== null) continue;
          if (copy.sources.includes('.')) {
            // The whole context: what the workspace build reads must be in it, what the host built and
            // the secrets of a local .env must not.
            for (const input of WORKSPACE_BUILD_INPUTS) {
              assert.ok(existsSync(join(context, input)), `${name}: the build needs ${input}, which does not exist`);
              assert.ok(!dockerIgnored(ignoreFile, input), `${name}: the build needs ${input}, which ${relative(root, ignoreFile ?? '')} excludes`);
            }
            for (const excluded of ['node_modules', 'dist', '.env']) {
              assert.ok(dockerIgnored(ignoreFile, excluded), `${name}: ${excluded} must be excluded from the build context`);
            }
          }
          for (const source of copy.sources) {
            if (/[*?[]/.test(source) || source === '.' || /^https?:\/\//.test(source)) continue;
            const relativeSource = posix.normalize(source).replace(/^\/+/, '');
            assert.ok(existsSync(join(context, relativeSource)), `${name}: ${relative(root, dockerfile)}:${copy.line} copies ${source}, which does not exist`);
            assert.ok(!dockerIgnored(ignoreFile, relativeSource), `${name}: ${source} is excluded from the build context by ${relative(root, ignoreFile ?? '')}`);
          }
        }
      }
    }
  });

  it('runs postgres 16, redis 7 and nats 2.10 with JetStream, each with a health check', () => {
    const expected: Record<string, RegExp> = { postgres: /^postgres:16(?:[.-]|$)/, redis: /^redis:7(?:[.-]|$)/, nats: /^nats:2\.10(?:[.-]|$)/ };
    for (const [name, image] of Object.entries(expected)) {
      const definition = service(name);
      assert.match(scalarText(definition['image']) ?? '', image, `${name} runs ${scalarText(definition['image'])}`);
      const test = healthcheckOf(definition);
      assert.ok(test && test.length > 1 && test[0] !== 'NONE', `${name} has no health check`);
    }
    const natsCommand = commandOf(service('nats'));
    assert.ok(natsCommand.includes('-js') || natsCommand.includes('--jetstream'), 'nats runs without JetStream');
  });

  it('waits only on dependencies that exist, and on health only where there is a health check', () => {
    for (const [name, definition] of compose.services) {
      for (const [dependency, condition] of dependenciesOf(definition)) {
        const target = compose.services.get(dependency);
        assert.ok(target, `${name} depends on ${dependency}, which is not a service`);
        if (condition !== 'service_healthy') continue;
        const inImage =
          target['build'] !== undefined && instructions(finalStage(readDockerfile(buildOf(target, dependency).dockerfile)), 'HEALTHCHECK').length > 0;
        assert.ok(healthcheckOf(target) !== undefined || inImage, `${name} waits for ${dependency} to be healthy, but ${dependency} has no health check`);
      }
    }
  });

  it("checks the gateway's health with GET /api/health, and whoever depends on the gateway waits for it to be healthy", async () => {
    const test = healthcheckOf(service('gateway'));
    assert.ok(test, 'the gateway has no health check in compose');
    // The check finds the port in the container's own GATEWAY_PORT, as compose sets it.
    assert.ok(environment('gateway').has('GATEWAY_PORT'));
    const healthy = await runHealthcheck(test, 'GATEWAY_PORT', 200);
    assert.deepEqual(healthy.paths, [HEALTH_PATH], 'the health check asks for another path');
    assert.equal(healthy.code, 0, 'the health check fails on 200');
    assert.notEqual((await runHealthcheck(test, 'GATEWAY_PORT', 503)).code, 0, 'the health check passes on 503');
    for (const [name, definition] of compose.services) {
      const condition = dependenciesOf(definition).get('gateway');
      if (condition !== undefined) assert.equal(condition, 'service_healthy', `${name} depends on the gateway without waiting for it to be healthy`);
    }
  });

  it('points every address a service is given at a service of the stack, on a port that service listens on', () => {
    const cases: string[] = [];
    for (const name of compose.services.keys()) {
      for (const { variable, value, address } of addressesIn(environment(name))) {
        const where = `${name}: ${variable}=${shown(value)}`;
        assert.ok(!isLoopback(address.host), `${where} points at the container itself`);
        const target = serviceAt(address.host);
        assert.ok(target, `${where} names ${address.host}, which is not a service of the stack (${[...compose.services.keys()].join(', ')})`);
        const ports = listening(target);
        assert.ok(
          ports.some((listener) => listener.port === address.port),
          `${where}: ${target} does not listen on ${address.port} (it listens on ${ports.map((listener) => `${listener.port} (${listener.source})`).join(', ')})`,
        );
        cases.push(`${name}.${variable}`);
      }
    }
    // The connections the stack cannot run without are among those checked.
    for (const expected of [
      'gateway.DATABASE_URL',
      'gateway.NATS_URL',
      'gateway.REDIS_URL',
      'gateway.RTMP_STAT_URL',
      'gateway.ICECAST_INTERNAL_URL',
      'publisher.RTMP_INTERNAL_URL',
      'transcoder.RTMP_INTERNAL_URL',
      'transcoder.ICECAST_INTERNAL_URL',
      'recorder.RTMP_INTERNAL_URL',
      'nginx-rtmp.HOOK_URL',
      'icecast.HOOK_URL',
    ]) {
      assert.ok(cases.includes(expected), `${expected} is not set (or is no address)`);
    }
  });

  it('gives the gateway RTMP_STAT_URL, the statistics of the nginx-rtmp of the stack', () => {
    const address = addressIn(environment('gateway').get('RTMP_STAT_URL') ?? '');
    assert.ok(address, 'the gateway has no RTMP_STAT_URL: it would ask 127.0.0.1, its own container, and never see a DJ publish');
    assert.equal(serviceAt(address.host), 'nginx-rtmp');
    const statListener = /^\s*listen\s+(\S+);\s*\n\s*location \/stat/m.exec(nginxConfig());
    assert.ok(statListener, 'the rendered nginx configuration serves no /stat');
    assert.equal(String(address.port), statListener[1]?.split(':').pop(), "RTMP_STAT_URL's port is not the one nginx serves /stat on");
    assert.equal(address.path, '/stat');
  });

  it('listens where it is reached: every port a service exposes or publishes, or that others use, on an interface they reach', () => {
    const used = new Map<string, Set<number>>();
    for (const name of compose.services.keys()) {
      for (const { address } of addressesIn(environment(name))) {
        const target = serviceAt(address.host);
        if (target) used.set(target, (used.get(target) ?? new Set()).add(address.port));
      }
    }
    for (const [name, definition] of compose.services) {
      const ports = listening(name);
      const reached = new Set([...exposedOf(definition), ...portsOf(definition).map((mapping) => mapping.container), ...(used.get(name) ?? [])]);
      for (const port of reached) {
        const listener = ports.find((candidate) => candidate.port === port);
        assert.ok(listener, `${name} exposes, publishes or is called on ${port}, but does not listen there`);
        assert.ok(listener.host === null || !isLoopback(listener.host), `${name} listens on ${port} on ${listener.host} only (${listener.source}): no other container reaches it`);
      }
    }
  });

  it('publishes the public API, the RTMP ingest and Icecast, and never the hooks listener, PostgreSQL, Redis or NATS', () => {
    const gatewayPort = configuredValues(configOf('gateway'), processEnvironment(workloadOf('gateway'), environment('gateway')));
    const apiPort = Number(gatewayPort.get('GATEWAY_PORT'));
    const hooksPort = Number(gatewayPort.get('INGEST_HOOKS_PORT'));
    assert.ok(hooksPort > 0 && hooksPort !== apiPort, `the hooks listener (INGEST_HOOKS_PORT ${hooksPort}) must be a port of its own, not the API's ${apiPort}`);
    const gatewayMappings = portsOf(service('gateway'));
    assert.deepEqual(gatewayMappings.map((mapping) => mapping.container), [apiPort], `the gateway publishes ${JSON.stringify(gatewayMappings)}`);
    assert.ok(gatewayMappings.every((mapping) => mapping.host !== null), 'the gateway port is not published on the host');
    assert.ok(exposedPorts(finalStage(readDockerfile(dockerfilePath('gateway')))).includes(apiPort), `docker/gateway.Dockerfile does not EXPOSE ${apiPort}`);
    const rtmp = portsOf(service('nginx-rtmp'));
    assert.deepEqual(rtmp, [{ host: '1935', container: 1935 }], `nginx-rtmp must publish 1935:1935 and nothing else (the stat port stays inside): ${JSON.stringify(rtmp)}`);
    assert.ok(exposedPorts(finalStage(readDockerfile(dockerfilePath('nginx-rtmp')))).includes(1935), 'the nginx-rtmp image does not EXPOSE 1935');
    // Traktor connects to Icecast's one port, which the gateway and the transcoder also use inside.
    const icecastPorts = listening('icecast').map((listener) => listener.port);
    assert.equal(icecastPorts.length, 1, `Icecast listens on ${icecastPorts.join(', ')}`);
    const icecastPort = icecastPorts[0] ?? 0;
    assert.deepEqual(portsOf(service('icecast')), [{ host: String(icecastPort), container: icecastPort }], `Icecast must publish ${icecastPort}:${icecastPort} and nothing else`);
    assert.ok(exposedPorts(finalStage(readDockerfile(dockerfilePath('icecast')))).includes(icecastPort), `the Icecast image does not EXPOSE ${icecastPort}`);
    for (const name of ['postgres', 'redis', 'nats', 'publisher', 'transcoder', 'recorder']) {
      assert.deepEqual(portsOf(service(name)), [], `${name} publishes a port on the host`);
    }
  });

  for (const name of services) {
    it(`${name}: boots with the environment compose gives it, every required variable set, no address left at a loopback default`, () => {
      const config = configOf(name);
      const deployment = environment(name);
      const processEnv = processEnvironment(workloadOf(name), deployment);
      // The service's own validation, exactly as at boot (sample secrets of the documented form).
      configuredValues(config, processEnv);
      const unset = requiredVariables(config).filter((variable) => !processEnv.get(variable));
      assert.deepEqual(unset, [], `${name} requires ${unset.join(', ')}, which compose does not set`);
      const atHome = loopbackDefaults(config, processEnv);
      assert.deepEqual(atHome, [], `${name} would connect to (or show DJs) its own container: ${atHome.join(', ')} left at the default`);
    });
  }

  it('gives every service the credentials its servers take: NATS user and password, Redis password, PostgreSQL user and password', () => {
    const natsCommand = commandOf(service('nats'));
    const natsUser = flagValue(natsCommand, '--user');
    const natsPassword = flagValue(natsCommand, '--pass');
    const redisPassword = flagValue(commandOf(service('redis')), '--requirepass');
    const postgres = environment('postgres');
    assert.ok(natsUser && natsPassword, 'nats runs without --user and --pass: anyone who reaches it may publish');
    assert.ok(redisPassword, 'redis runs without --requirepass: anyone who reaches it may change the queues');
    assert.equal(natsPassword, OPERATOR_SECRETS['NATS_PASSWORD'], 'the NATS password is not NATS_PASSWORD from deploy/.env');
    assert.equal(redisPassword, OPERATOR_SECRETS['REDIS_PASSWORD'], 'the Redis password is not REDIS_PASSWORD from deploy/.env');
    for (const name of services) {
      const urls = new Map(addressesIn(environment(name)).map(({ variable, address }) => [variable, address]));
      const nats = urls.get('NATS_URL');
      const redis = urls.get('REDIS_URL');
      const database = urls.get('DATABASE_URL');
      assert.ok(nats && redis, `${name} is not given NATS_URL and REDIS_URL`);
      assert.deepEqual([nats.user, nats.password], [natsUser, natsPassword], `${name}'s NATS_URL does not carry the NATS server's user and password`);
      assert.equal(redis.password, redisPassword, `${name}'s REDIS_URL does not carry the Redis password`);
      if (configOf(name).variables.has('DATABASE_URL')) {
        assert.ok(database, `${name} is not given DATABASE_URL`);
        assert.deepEqual([database.user, database.password], [postgres.get('POSTGRES_USER'), postgres.get('POSTGRES_PASSWORD')], `${name}'s DATABASE_URL does not log in as PostgreSQL's user`);
      }
    }
    // The health check logs in too: REDISCLI_AUTH is redis-cli's password.
    assert.equal(environment('redis').get('REDISCLI_AUTH'), redisPassword, "redis's health check would get NOAUTH and never pass");
  });

  it("renders nginx-rtmp's configuration with every hook going to the gateway's internal listener, with the gateway's secret", () => {
    const calls = hookCalls(nginxConfig());
    assert.ok(calls.length >= 6, `the rendered configuration has ${calls.length} hooks`);
    const gateway = configuredValues(configOf('gateway'), processEnvironment(workloadOf('gateway'), environment('gateway')));
    const hooksPath = gatewayHooksPath();
    for (const { directive, url } of calls) {
      const address = addressIn(url);
      assert.ok(address, `${directive} ${url} is not a URL`);
      assert.equal(serviceAt(address.host), 'gateway', `${directive} goes to ${address.host}, not to the gateway`);
      assert.equal(address.port, gateway.get('INGEST_HOOKS_PORT'), `${directive} goes to port ${address.port}, not to the hooks listener (INGEST_HOOKS_PORT)`);
      assert.equal(posix.dirname(address.path), hooksPath, `${directive} calls ${address.path}, outside the gateway's ${hooksPath}`);
      assert.equal(address.query.get('secret'), gateway.get('INGEST_HOOKS_SECRET'), `${directive} does not carry the gateway's INGEST_HOOKS_SECRET`);
    }
    assert.equal(environment('nginx-rtmp').get('INGEST_HOOKS_SECRET'), OPERATOR_SECRETS['INGEST_HOOKS_SECRET']);
  });

  it('gives nginx-rtmp every variable its entrypoint needs, and none it does not use', () => {
    const deployment = environment('nginx-rtmp');
    const reference = nginxConfig();
    for (const variable of deployment.keys()) {
      const without = new Map(deployment);
      without.delete(variable);
      const rendered = renderNginxConfig(processEnvironment({ kind: 'nginx-rtmp' }, without));
      assert.ok(rendered.code !== 0 || rendered.config !== reference, `compose sets ${variable} on nginx-rtmp, which changes nothing nginx reads`);
    }
    // And without the secret, the entrypoint refuses rather than render hooks anyone may call.
    const noSecret = new Map(deployment);
    noSecret.delete('INGEST_HOOKS_SECRET');
    assert.equal(renderNginxConfig(processEnvironment({ kind: 'nginx-rtmp' }, noSecret)).code, 78);
  });

  it('runs nginx in the foreground exactly once: either the template or the command says daemon off', () => {
    const templateSays = /^\s*daemon\s+off\s*;/m.test(readFileSync(NGINX_TEMPLATE, 'utf8'));
    const command = execForm(instructions(finalStage(readDockerfile(dockerfilePath('nginx-rtmp'))), 'CMD').at(-1), 'CMD').join(' ');
    const commandSays = /daemon\s+off/.test(command);
    // nginx refuses a duplicate "daemon" directive, and without one it forks away and the container exits.
    assert.notEqual(templateSays, commandSays, `template says daemon off: ${templateSays}; CMD (${command}) says it: ${commandSays}`);
  });

  it("renders Icecast's configuration with every hook going to the gateway's internal listener, with the gateway's secret", () => {
    const calls = icecastHookCalls(icecastConfig());
    const mounts = [...new Set(calls.map((call) => call.mount))];
    assert.ok(mounts.length >= 2, `the rendered configuration has hooks on ${mounts.join(', ')} only`);
    for (const mount of mounts) {
      const actions = calls.filter((call) => call.mount === mount).map((call) => call.action).sort();
      assert.deepEqual(actions, ICECAST_HOOK_ACTIONS, `${mount}: not every source and listener goes through the gateway`);
    }
    const gateway = configuredValues(configOf('gateway'), processEnvironment(workloadOf('gateway'), environment('gateway')));
    const routes = gatewayIcecastHookRoutes();
    for (const { mount, action, url } of calls) {
      const where = `${mount} ${action}`;
      const address = addressIn(url);
      assert.ok(address, `${where}: ${url} is not a URL`);
      assert.equal(serviceAt(address.host), 'gateway', `${where} goes to ${address.host}, not to the gateway`);
      assert.equal(address.port, gateway.get('INGEST_HOOKS_PORT'), `${where} goes to port ${address.port}, not to the hooks listener (INGEST_HOOKS_PORT)`);
      assert.ok(routes.includes(address.path), `${where} calls ${address.path}, which the gateway does not serve (${routes.join(', ')})`);
      assert.equal(address.query.get('secret'), gateway.get('INGEST_HOOKS_SECRET'), `${where} does not carry the gateway's INGEST_HOOKS_SECRET`);
    }
    assert.equal(environment('icecast').get('INGEST_HOOKS_SECRET'), OPERATOR_SECRETS['INGEST_HOOKS_SECRET']);
  });

  it('gives Icecast every variable its entrypoint needs, and none it does not use; it writes the configuration for its own user only', () => {
    const deployment = environment('icecast');
    const reference = runIcecastEntrypoint(processEnvironment({ kind: 'icecast' }, deployment));
    assert.equal(reference.code, 0, reference.stderr);
    // It holds the hooks' secret and the admin's password.
    assert.equal(reference.mode, 0o600, `the rendered configuration has mode ${reference.mode?.toString(8) ?? 'none'}`);
    for (const variable of deployment.keys()) {
      const without = new Map(deployment);
      without.delete(variable);
      const rendered = runIcecastEntrypoint(processEnvironment({ kind: 'icecast' }, without));
      assert.ok(rendered.code !== 0 || rendered.config !== reference.config, `compose sets ${variable} on Icecast, which changes nothing Icecast reads`);
    }
    // The image's own variables too, but for the configuration's path (CMD reads it, see below).
    const image = imageEnvironment('icecast');
    for (const variable of [...image.keys()].filter((name) => name !== 'ICECAST_CONF')) {
      const without = processEnvironment({ kind: 'icecast' }, deployment);
      without.delete(variable);
      const rendered = runIcecastEntrypoint(without);
      assert.ok(rendered.code !== 0 || rendered.config !== reference.config, `docker/icecast.Dockerfile sets ${variable}, which changes nothing Icecast reads`);
    }
    // Without the secret (or anything else), the entrypoint refuses, naming it, rather than render hooks
    // anyone may call.
    for (const [variable, value] of [['INGEST_HOOKS_SECRET', undefined], ['ICECAST_ADMIN_PASSWORD', ''], ['HOOK_URL', undefined]] as const) {
      const broken = processEnvironment({ kind: 'icecast' }, deployment);
      if (value === undefined) broken.delete(variable);
      else broken.set(variable, value);
      const rendered = runIcecastEntrypoint(broken);
      assert.equal(rendered.code, 78, `the entrypoint starts with ${variable} ${value === undefined ? 'unset' : 'empty'}`);
      assert.match(rendered.stderr, new RegExp(`\\b${variable}\\b`), `the entrypoint does not name ${variable}: ${rendered.stderr}`);
      assert.equal(rendered.config, '', `the entrypoint wrote a configuration without ${variable}`);
    }
  });

  it('renders Icecast\'s configuration as npm start does, every value XML-escaped and the secret percent-encoded', () => {
    const environmentOfIcecast = processEnvironment({ kind: 'icecast' }, environment('icecast'));
    const value = (name: string) => environmentOfIcecast.get(name) ?? '';
    // The same text as libs/stack renders for `npm start`, from the same values.
    const expected = renderIcecastConfig({
      root,
      runDir: value('RUN_DIR'),
      logDir: value('LOG_DIR'),
      port: Number(value('ICECAST_LISTEN_PORT')),
      bindAddress: value('ICECAST_BIND_ADDRESS'),
      hookUrl: value('HOOK_URL'),
      hookSecret: value('INGEST_HOOKS_SECRET'),
      adminPassword: value('ICECAST_ADMIN_PASSWORD'),
      relayPassword: value('ICECAST_RELAY_PASSWORD'),
    });
    assert.equal(icecastConfig(), expected, 'the container renders another configuration than npm start');

    // Values that are not hex: Icecast must read back exactly what the deployment gave.
    const awkward = new Map(environmentOfIcecast);
    const secret = `a&b<c>d"e'f g+h%i/j\\k=l?m#n;é`;
    const adminPassword = `p&<>"'\\x\${HOOK_URL}é`;
    awkward.set('INGEST_HOOKS_SECRET', secret);
    awkward.set('ICECAST_ADMIN_PASSWORD', adminPassword);
    const rendered = runIcecastEntrypoint(awkward);
    assert.equal(rendered.code, 0, rendered.stderr);
    assert.deepEqual(unescapedAmpersands(rendered.config), [], 'a value reaches the XML with a bare &');
    assert.deepEqual(elementTexts(rendered.config, 'admin-password'), [adminPassword]);
    const calls = icecastHookCalls(rendered.config);
    assert.ok(calls.length > 0);
    for (const { url } of calls) {
      assert.equal(addressIn(url)?.query.get('secret'), secret, `${url} does not carry the secret intact`);
      assert.ok(!/["'<>&\s]/.test(url.slice(url.indexOf('?'))), `${url}: the secret is not percent-encoded`);
    }
    assert.equal(decodeXml('&lt;&amp;lt;&#38;&#x26;'), '<&lt;&&');
  });

  it('runs icecast2 in the foreground as an unprivileged user, on the configuration its entrypoint renders, stopped by SIGTERM', () => {
    const runtime = finalStage(readDockerfile(dockerfilePath('icecast')));
    // Icecast refuses to run as root; its <changeowner> would need root to act.
    const user = instructions(runtime, 'USER').at(-1)?.args.split(':')[0];
    assert.ok(user && !['root', '0'].includes(user), `the Icecast image runs as ${user ?? 'root'}`);
    const entrypoint = execForm(instructions(runtime, 'ENTRYPOINT').at(-1), 'ENTRYPOINT');
    const installed = copies(runtime).find((copy) => copy.from === null && copy.sources.join(' ') === relative(root, ICECAST_ENTRYPOINT));
    assert.ok(installed, 'the image does not copy docker/icecast-entrypoint.sh');
    assert.equal(copyTarget(runtime, installed, installed.sources[0] ?? ''), entrypoint[0], 'ENTRYPOINT is not the copied docker/icecast-entrypoint.sh');
    // The template goes where the entrypoint looks for it by default.
    const templatePath = /^template=\$\{ICECAST_TEMPLATE:-([^}]+)\}$/m.exec(readFileSync(ICECAST_ENTRYPOINT, 'utf8'))?.[1];
    assert.ok(templatePath, 'the entrypoint has no default ICECAST_TEMPLATE');
    const template = copies(runtime).find((copy) => copy.from === null && copy.sources.join(' ') === 'infra/icecast/icecast.xml.template');
    assert.ok(template && copyTarget(runtime, template, template.sources[0] ?? '') === templatePath, `the image does not copy the template to ${templatePath}`);
    // Foreground (no -b): icecast2 is the container's main process, on the file the entrypoint writes.
    const command = execForm(instructions(runtime, 'CMD').at(-1), 'CMD');
    assert.equal(command[0], 'icecast2');
    assert.ok(!command.includes('-b'), `CMD backgrounds Icecast: ${command.join(' ')}`);
    assert.equal(flagValue(command, '-c'), imageEnvironment('icecast').get('ICECAST_CONF'), 'CMD reads another configuration than the entrypoint writes (ICECAST_CONF)');
    // SIGTERM is Icecast's shutdown; SIGHUP would only reread its configuration.
    const stopSignal = instructions(runtime, 'STOPSIGNAL').at(-1)?.args ?? 'SIGTERM';
    assert.equal(stopSignal, 'SIGTERM', `STOPSIGNAL ${stopSignal}: Icecast shuts down on SIGTERM`);
  });

  it("checks Icecast's health with GET /status-json.xsl on its own port, and fails on anything but success", async () => {
    const fromImage = healthcheckCommand(finalStage(readDockerfile(dockerfilePath('icecast'))));
    const test = healthcheckOf(service('icecast')) ?? (fromImage ? ['CMD', ...fromImage] : undefined);
    assert.ok(test, 'Icecast has no health check, in its image or in compose');
    // The check finds the port in the container's own ICECAST_LISTEN_PORT, as compose sets it.
    assert.ok(environment('icecast').has('ICECAST_LISTEN_PORT'));
    const healthy = await runHealthcheck(test, 'ICECAST_LISTEN_PORT', 200);
    assert.deepEqual(healthy.paths, [ICECAST_STATUS_PATH], 'the health check asks for another path');
    assert.equal(healthy.code, 0, 'the health check fails on 200');
    assert.notEqual((await runHealthcheck(test, 'ICECAST_LISTEN_PORT', 503)).code, 0, 'the health check passes on 503');
  });

  it("gives the gateway Icecast's status page and the transcoder its reader, with the one password the gateway lets in", () => {
    for (const name of ['gateway', 'transcoder']) {
      const address = addressIn(environment(name).get('ICECAST_INTERNAL_URL') ?? '');
      assert.ok(address, `${name} has no ICECAST_INTERNAL_URL: it would ask 127.0.0.1, its own container`);
      assert.equal(serviceAt(address.host), 'icecast', `${name}'s ICECAST_INTERNAL_URL is not the stack's Icecast`);
    }
    const readerPassword = environment('gateway').get('ICECAST_READER_PASSWORD');
    assert.equal(readerPassword, OPERATOR_SECRETS['ICECAST_READER_PASSWORD'], "the gateway's ICECAST_READER_PASSWORD is not the one from deploy/.env");
    assert.equal(environment('transcoder').get('ICECAST_READER_PASSWORD'), readerPassword, 'the gateway would refuse the transcoder as a listener');
  });

  it('lets only the containers of the stack publish the program and play streams, not connections from the host', () => {
    const { subnet, gateway } = stackNetwork(compose);
    for (const [key, verb] of [['INTERNAL_PUBLISH_RULES', 'publish'], ['INTERNAL_PLAY_RULES', 'play']] as const) {
      const value = environment('nginx-rtmp').get(key) ?? '';
      const rules = value.split(';').map((rule) => rule.trim()).filter((rule) => rule !== '');
      const parsed = rules.map((rule) => /^(allow|deny) (publish|play) (\S+)$/.exec(rule));
      assert.ok(parsed.every((match) => match !== null && match[2] === verb), `${key} holds something other than "allow|deny ${verb} <address>;": ${value}`);
      const allowSubnet = parsed.findIndex((match) => match?.[1] === 'allow' && match[3] === subnet);
      assert.ok(allowSubnet >= 0, `${key} does not allow the stack's network ${subnet}`);
      // nginx takes the first matching rule; the network's gateway is where Docker's port proxy connects from.
      const denyGateway = parsed.findIndex((match) => match?.[1] === 'deny' && match[3] === gateway);
      assert.ok(denyGateway >= 0 && denyGateway < allowSubnet, `${key} must deny ${gateway} before it allows ${subnet}`);
    }
  });

  it('keeps the address of the host nginx-rtmp calls fixed, inside the stack network, and no address twice', () => {
    const { subnet, gateway } = stackNetwork(compose);
    assert.ok(inSubnet(gateway, subnet), `the network gateway ${gateway} is outside ${subnet}`);
    const fixed = [...compose.services].flatMap(([name, definition]) => {
      const found = fixedAddressOf(definition);
      return found ? [[name, found] as const] : [];
    });
    for (const [name, fixedAddress] of fixed) {
      assert.ok(inSubnet(fixedAddress, subnet), `${name}'s ${fixedAddress} is outside ${subnet}`);
      assert.notEqual(fixedAddress, gateway, `${name} has the network gateway's address`);
    }
    const addresses = fixed.map(([, fixedAddress]) => fixedAddress);
    assert.equal(new Set(addresses).size, addresses.length, `two services share an address: ${addresses.join(', ')}`);
    // nginx resolves a hook URL's host once, at its start: that host must keep its address.
    for (const { url } of hookCalls(nginxConfig())) {
      const host = addressIn(url)?.host ?? '';
      assert.ok(fixed.some(([name]) => name === serviceAt(host)), `${host}, which nginx-rtmp calls, has no fixed address`);
    }
  });

  it('requires every secret from deploy/.env and never gives one a default', () => {
    const secrets = Object.keys(OPERATOR_SECRETS);
    const referenced = new Set<string>();
    for (const value of allStrings(compose.raw)) {
      for (const item of allInterpolationsIn(value)) {
        if (!secrets.includes(item.name)) continue;
        referenced.add(item.name);
        assert.ok(item.operator === ':?' || item.operator === '?', `\${${item.name}} must be written \${${item.name}:?message}, not with ${item.operator ?? 'no operator'}`);
      }
    }
    assert.deepEqual([...referenced].sort(), [...secrets].sort(), 'compose does not use every secret an operator is asked for');
    // As compose itself would: without any one of them (or of the settings it cannot guess), the stack
    // refuses to start, naming it.
    for (const variable of Object.keys(OPERATOR_ENVIRONMENT)) {
      const { [variable]: _left, ...rest } = OPERATOR_ENVIRONMENT;
      assert.throws(() => loadCompose('compose.yaml', rest), (error: unknown) => error instanceof MissingVariableError && error.variable === variable, `compose starts without ${variable}`);
    }
    // Every variable compose needs from deploy/.env is one of those (with a sample of its form).
    const required = allStrings(compose.raw).flatMap((value) => allInterpolationsIn(value)).filter((item) => item.operator?.endsWith('?'));
    assert.deepEqual([...new Set(required.map((item) => item.name))].filter((name) => !(name in OPERATOR_ENVIRONMENT)), []);
  });

  it('sets no variable on a StreamCaster service that .env.example does not document', () => {
    // The services' own configuration. (Third-party images read variables that are theirs to document;
    // the variables of nginx-rtmp and Icecast are checked against their entrypoints above.)
    const wanted = services.flatMap((name) => [...environmentOf(service(name)).keys()]);
    assert.ok(wanted.length > 0);
    assertDocumented(wanted, 'these variables that compose sets');
  });

  for (const name of services) {
    it(`${name}: compose and the image set only variables that ${name} reads`, () => {
      const read = configOf(name).variables;
      const fromCompose = [...environmentOf(service(name)).keys()].filter((key) => !read.has(key));
      assert.deepEqual(fromCompose, [], `compose sets ${fromCompose.join(', ')} on ${name}, which ${name} does not read`);
      // NODE_* are Node's own; everything else the image sets is a default for the service.
      const fromImage = [...imageEnvironment(name).keys()].filter((key) => !key.startsWith('NODE_') && !read.has(key));
      assert.deepEqual(fromImage, [], `docker/${name}.Dockerfile sets ${fromImage.join(', ')}, which ${name} does not read`);
    });
  }

  it('interpolates no variable that is neither defaulted nor documented in .env.example', () => {
    const undocumented: string[] = [];
    for (const file of ['compose.yaml', 'compose.gpu.yaml']) {
      const raw = file === 'compose.yaml' ? compose.raw : loadCompose(file).raw;
      for (const value of allStrings(raw)) {
        for (const item of allInterpolationsIn(value)) {
          if (item.operator === null || item.operator.endsWith('?')) undocumented.push(item.name);
        }
      }
    }
    assert.ok(undocumented.length > 0, 'compose interpolates no required variable at all: the secrets are missing');
    assertDocumented(undocumented, 'these variables that compose needs from the environment');
  });

  it('builds the transcoder on the ffmpeg image that compose builds from infra/ffmpeg', () => {
    const build = buildOf(service('transcoder'), 'transcoder').definition;
    const imageName = scalarText(at(build, 'args', 'FFMPEG_IMAGE'));
    assert.ok(imageName, 'compose passes no FFMPEG_IMAGE to the transcoder build');
    const context = scalarText(at(build, 'additional_contexts', imageName));
    assert.ok(context !== undefined && context.startsWith('service:'), `no additional_contexts entry "${imageName}: service:<name>"`);
    const baseName = context.slice('service:'.length);
    const base = buildOf(service(baseName), baseName);
    assert.equal(relative(root, base.context), join('infra', 'ffmpeg'));
    assert.ok(statSync(base.dockerfile).isFile());
  });

  it('gives the transcoder NVIDIA GPUs, with the video capability, in the GPU override', () => {
    const gpu = loadCompose('compose.gpu.yaml');
    for (const name of gpu.services.keys()) assert.ok(compose.services.has(name), `compose.gpu.yaml overrides ${name}, which compose.yaml lacks`);
    const transcoder = gpu.services.get('transcoder');
    assert.ok(transcoder, 'compose.gpu.yaml does not touch the transcoder');
    const devices = at(transcoder, 'deploy', 'resources', 'reservations', 'devices');
    assert.ok(Array.isArray(devices) && devices.length > 0, 'no device reservation');
    const nvidia: unknown = devices.find((device: unknown) => at(device, 'driver') === 'nvidia');
    assert.ok(isRecord(nvidia), 'no nvidia device reservation');
    const capabilities = allStrings(nvidia['capabilities'] ?? null);
    for (const capability of ['gpu', 'video']) assert.ok(capabilities.includes(capability), `the reservation lacks the ${capability} capability`);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('deployment: kubernetes', () => {
  const services = backendServices();
  let manifests: Manifest[];
  let secrets: Map<string, Map<string, string>>;
  let compose: ComposeFile;
  before(() => {
    manifests = loadManifests();
    const template = secretTemplate();
    // What the operator's Secret holds: the template's keys, with values of the documented form.
    secrets = new Map([[template.name, new Map([...template.data].map(([key, value]) => [key, OPERATOR_SECRETS[key] ?? value]))]]);
    compose = loadCompose('compose.yaml');
  });

  const workload = (name: string): Manifest => {
    const found = workloads(manifests).find((candidate) => candidate.name === name);
    assert.ok(found, `deploy/kubernetes has no Deployment or StatefulSet "${name}"`);
    return found;
  };
  const container = (name: string): YamlRecord => {
    const list = containersOf(workload(name));
    assert.equal(list.length, 1, `${name} has more than one container`);
    return list[0] as YamlRecord;
  };
  const environment = (name: string): ContainerEnvironment => containerEnvironment(container(name), manifests, secrets);
  const workloadKind = (name: string): Workload => {
    const image = scalarText(container(name)['image']) ?? '';
    const ours = /^streamcaster\/([a-z0-9-]+)(?::|$)/.exec(image)?.[1];
    if (ours === 'nginx-rtmp') return { kind: 'nginx-rtmp' };
    if (ours === 'icecast') return { kind: 'icecast' };
    if (ours && services.includes(ours)) return { kind: 'service', service: ours };
    return { kind: 'image', image };
  };
  const listening = (name: string): Listener[] => {
    const values = environment(name).values;
    return listenersOf(workloadKind(name), values, containerArgs(container(name), values), configs);
  };
  const servicesOfKind = () => manifests.filter((manifest) => manifest.kind === 'Service');
  /** The workload a Service sends to, and the container port number its `port` goes to. */
  const serviceTarget = (serviceName: string, port: number): { workload: string; containerPort: number } | undefined => {
    const found = find(manifests, 'Service', serviceName);
    if (!found) return undefined;
    const entry: unknown = (at(found.object, 'spec', 'ports') as unknown[] | undefined)?.find((candidate: unknown) => Number(at(candidate, 'port')) === port);
    if (!entry) return undefined;
    const target = workloads(manifests).find((candidate) => selects(at(found.object, 'spec', 'selector'), podLabels(candidate)));
    if (!target) return undefined;
    const containerPort = resolvePort(at(entry, 'targetPort') ?? port, container(target.name));
    return containerPort === undefined ? undefined : { workload: target.name, containerPort };
  };

  it('is valid YAML with apiVersion, kind and name on every object, and the kustomization lists every manifest', () => {
    assert.ok(manifests.length > 0);
    const listed = at(kustomization(), 'resources');
    assert.ok(Array.isArray(listed), `${KUSTOMIZATION} lists no resources`);
    const files = readdirSync(kubernetesDir).filter((file) => file.endsWith('.yaml') && file !== KUSTOMIZATION && file !== SECRET_TEMPLATE);
    assert.deepEqual([...listed].map(String).sort(), files.sort(), `${KUSTOMIZATION} does not list exactly the manifest files`);
    assert.ok(!listed.includes(SECRET_TEMPLATE), 'the Secret template must not be applied: it would replace the real passwords');
    assert.equal(at(kustomization(), 'namespace'), 'streamcaster');
    assert.ok(find(manifests, 'Namespace', 'streamcaster'), 'no Namespace streamcaster');
    const names = manifests.map((manifest) => `${manifest.kind}/${manifest.name}`);
    assert.equal(new Set(names).size, names.length, `an object is defined twice: ${names.join(', ')}`);
  });

  it('has a Secret template with every key the workloads read, and no real value in it', () => {
    const template = secretTemplate();
    const read = workloads(manifests).flatMap((candidate) =>
      containersOf(candidate).flatMap((entry) => containerEnvironment(entry, manifests, secrets).secretKeys),
    );
    assert.ok(read.length > 0);
    for (const { secret, key } of read) {
      assert.equal(secret, template.name, `a workload reads Secret ${secret}, which is not the credentials Secret`);
      assert.ok(template.data.has(key), `${SECRET_TEMPLATE} lacks ${key}, which a workload reads`);
    }
    for (const [key, value] of template.data) {
      if (key in OPERATOR_SECRETS || key.endsWith('PASSWORD')) assert.equal(value, '', `${SECRET_TEMPLATE} holds a value for ${key}: a template has none`);
    }
    for (const secret of Object.keys(OPERATOR_SECRETS)) assert.ok(template.data.has(secret), `${SECRET_TEMPLATE} lacks ${secret}`);
  });

  it('selects its pods: every workload its template, every Service a workload and a port its container declares', () => {
    for (const candidate of workloads(manifests)) {
      assert.ok(selects(at(candidate.object, 'spec', 'selector', 'matchLabels'), podLabels(candidate)), `${candidate.name}'s selector does not select its own pods`);
      // Otherwise every Service becomes variables in every pod: a Service "gateway" sets GATEWAY_PORT=tcp://...
      assert.equal(podSpec(candidate)['enableServiceLinks'], false, `${candidate.name} takes the docker-link variables of the namespace's Services`);
      for (const volume of (podSpec(candidate)['volumes'] as unknown[] | undefined) ?? []) {
        const claim = scalarText(at(volume, 'persistentVolumeClaim', 'claimName'));
        if (claim) assert.ok(find(manifests, 'PersistentVolumeClaim', claim), `${candidate.name} mounts the undefined claim ${claim}`);
      }
    }
    for (const serviceManifest of servicesOfKind()) {
      const ports = at(serviceManifest.object, 'spec', 'ports');
      assert.ok(Array.isArray(ports) && ports.length > 0, `Service ${serviceManifest.name} has no ports`);
      for (const entry of ports) {
        const target = serviceTarget(serviceManifest.name, Number(at(entry, 'port')));
        assert.ok(target, `Service ${serviceManifest.name}: port ${String(at(entry, 'port'))} reaches no container port of a workload it selects`);
        assert.ok(containerPorts(container(target.workload)).some((declared) => declared.port === target.containerPort));
      }
    }
  });

  it('points every address a workload is given at a Service, whose pods listen on the port it leads to', () => {
    const cases: string[] = [];
    for (const candidate of workloads(manifests)) {
      for (const { variable, value, address } of addressesIn(environment(candidate.name).values)) {
        const where = `${candidate.name}: ${variable}=${shown(value)}`;
        assert.ok(!isLoopback(address.host), `${where} points at the pod itself`);
        const target = serviceTarget(address.host, address.port);
        assert.ok(target, `${where}: no Service ${address.host} with port ${address.port}`);
        const ports = listening(target.workload);
        assert.ok(
          ports.some((listener) => listener.port === target.containerPort && (listener.host === null || !isLoopback(listener.host))),
          `${where}: ${target.workload} does not listen on ${target.containerPort} where other pods reach it (${ports.map((listener) => `${listener.port} on ${listener.host ?? '*'}`).join(', ')})`,
        );
        cases.push(`${candidate.name}.${variable}`);
      }
    }
    for (const expected of [
      'gateway.DATABASE_URL',
      'gateway.NATS_URL',
      'gateway.REDIS_URL',
      'gateway.RTMP_STAT_URL',
      'gateway.ICECAST_INTERNAL_URL',
      'publisher.RTMP_INTERNAL_URL',
      'transcoder.ICECAST_INTERNAL_URL',
      'nginx-rtmp.HOOK_URL',
      'icecast.HOOK_URL',
    ]) {
      assert.ok(cases.includes(expected), `${expected} is not set (or is no address)`);
    }
  });

  for (const name of services) {
    it(`${name}: boots with its environment, set only with variables it reads, the same ones compose sets`, () => {
      const config = configOf(name);
      const { values, expandedOnly } = environment(name);
      const processEnv = processEnvironment({ kind: 'service', service: name }, values);
      configuredValues(config, processEnv);
      const unset = requiredVariables(config).filter((variable) => !processEnv.get(variable));
      assert.deepEqual(unset, [], `${name} requires ${unset.join(', ')}, which its manifest does not set`);
      const atHome = loopbackDefaults(config, processEnv);
      assert.deepEqual(atHome, [], `${name} would connect to (or show DJs) its own pod: ${atHome.join(', ')} left at the default`);
      const unread = [...values.keys()].filter((variable) => !config.variables.has(variable) && !expandedOnly.has(variable));
      assert.deepEqual(unread, [], `${name}'s manifest sets ${unread.join(', ')}, which ${name} does not read`);
      const inKubernetes = [...values.keys()].filter((variable) => config.variables.has(variable)).sort();
      const inCompose = [...environmentOf(compose.services.get(name) ?? {}).keys()].sort();
      assert.deepEqual(inKubernetes, inCompose, `${name}: Kubernetes and compose give it different variables`);
      assert.equal(values.get('STREAMCASTER_DATA_DIR'), '/data');
      const mounts = (container(name)['volumeMounts'] as unknown[] | undefined) ?? [];
      const dataMount: unknown = mounts.find((mount: unknown) => at(mount, 'mountPath') === '/data');
      assert.ok(dataMount, `${name} mounts nothing at /data`);
      const volume: unknown = ((podSpec(workload(name))['volumes'] as unknown[] | undefined) ?? []).find((candidate: unknown) => at(candidate, 'name') === at(dataMount, 'name'));
      assert.equal(at(volume, 'persistentVolumeClaim', 'claimName'), 'streamcaster-data', `${name}'s /data is not the shared volume`);
    });
  }

  it('listens on the same ports as in compose, and nginx-rtmp and Icecast get the same variables', () => {
    for (const name of [...services, 'nginx-rtmp', 'icecast']) {
      const inKubernetes = listening(name).map((listener) => listener.port).sort();
      const composeWorkload: Workload = name === 'nginx-rtmp' || name === 'icecast' ? { kind: name } : { kind: 'service', service: name };
      const inCompose = listenersOf(composeWorkload, definedValues(environmentOf(compose.services.get(name) ?? {})), [], configs).map((listener) => listener.port).sort();
      assert.deepEqual(inKubernetes, inCompose, `${name} listens on other ports in Kubernetes than in compose`);
    }
    for (const name of ['nginx-rtmp', 'icecast']) {
      const inKubernetes = [...environment(name).values.keys()].sort();
      const inCompose = [...environmentOf(compose.services.get(name) ?? {}).keys()].sort();
      assert.deepEqual(inKubernetes, inCompose, `${name}: Kubernetes and compose give it different variables`);
    }
  });

  it('gives every service the credentials its servers take', () => {
    const natsArgs = containerArgs(container('nats'), environment('nats').values);
    const redisArgs = containerArgs(container('redis'), environment('redis').values);
    const postgres = environment('postgres').values;
    const natsUser = flagValue(natsArgs, '--user');
    const natsPassword = flagValue(natsArgs, '--pass');
    const redisPassword = flagValue(redisArgs, '--requirepass');
    assert.ok(natsUser && natsPassword && !natsPassword.includes('$('), `nats runs without a user and password: ${natsArgs.join(' ')}`);
    assert.ok(redisPassword && !redisPassword.includes('$('), 'redis runs without --requirepass');
    assert.equal(environment('redis').values.get('REDISCLI_AUTH'), redisPassword, "redis's probes would get NOAUTH");
    for (const name of services) {
      const urls = new Map(addressesIn(environment(name).values).map(({ variable, address }) => [variable, address]));
      const nats = urls.get('NATS_URL');
      const redis = urls.get('REDIS_URL');
      const database = urls.get('DATABASE_URL');
      assert.ok(nats && redis && database, `${name} is not given NATS_URL, REDIS_URL and DATABASE_URL`);
      assert.deepEqual([nats.user, nats.password], [natsUser, natsPassword], `${name}'s NATS_URL does not carry the NATS server's user and password`);
      assert.equal(redis.password, redisPassword, `${name}'s REDIS_URL does not carry the Redis password`);
      assert.deepEqual([database.user, database.password], [postgres.get('POSTGRES_USER'), postgres.get('POSTGRES_PASSWORD')], `${name}'s DATABASE_URL does not log in as PostgreSQL's user`);
    }
  });

  it("gives the gateways Icecast's status page and the transcoders its reader, with the one password the gateways let in", () => {
    for (const name of ['gateway', 'transcoder']) {
      const address = addressIn(environment(name).values.get('ICECAST_INTERNAL_URL') ?? '');
      assert.ok(address, `${name} has no ICECAST_INTERNAL_URL: it would ask 127.0.0.1, its own pod`);
      assert.equal(serviceTarget(address.host, address.port)?.workload, 'icecast', `${name}'s ICECAST_INTERNAL_URL does not reach Icecast`);
    }
    const readerPassword = environment('gateway').values.get('ICECAST_READER_PASSWORD');
    assert.equal(readerPassword, OPERATOR_SECRETS['ICECAST_READER_PASSWORD'], "the gateway's ICECAST_READER_PASSWORD is not the Secret's ICECAST_READER_PASSWORD");
    assert.equal(environment('transcoder').values.get('ICECAST_READER_PASSWORD'), readerPassword, 'the gateways would refuse the transcoders as listeners');
  });

  it("sends nginx-rtmp's hooks to the gateways' hook listener, with their secret, also to gateways not yet ready, never from outside", () => {
    const rendered = renderNginxConfig(processEnvironment({ kind: 'nginx-rtmp' }, environment('nginx-rtmp').values));
    assert.equal(rendered.code, 0, rendered.stderr);
    const calls = hookCalls(rendered.config);
    assert.ok(calls.length >= 6);
    const gateway = configuredValues(configOf('gateway'), processEnvironment({ kind: 'service', service: 'gateway' }, environment('gateway').values));
    const hooksPath = gatewayHooksPath();
    const hookServices = new Set<string>();
    for (const { directive, url } of calls) {
      const address = addressIn(url);
      assert.ok(address, `${directive} ${url} is not a URL`);
      const target = serviceTarget(address.host, address.port);
      assert.ok(target, `${directive} goes to ${address.host}:${address.port}, which no Service serves`);
      assert.equal(target.workload, 'gateway');
      assert.equal(target.containerPort, gateway.get('INGEST_HOOKS_PORT'), `${directive} reaches the gateway on ${target.containerPort}, not on its hooks listener`);
      assert.equal(posix.dirname(address.path), hooksPath);
      assert.equal(address.query.get('secret'), gateway.get('INGEST_HOOKS_SECRET'), `${directive} does not carry the gateway's INGEST_HOOKS_SECRET`);
      hookServices.add(address.host);
    }
    // Readiness means "the whole system answers": a DJ's publish-done must reach a gateway that is alive
    // while, say, the publisher restarts.
    for (const name of hookServices) assert.equal(at(find(manifests, 'Service', name)?.object, 'spec', 'publishNotReadyAddresses'), true, `Service ${name} drops the hooks of gateways that are not ready`);
    const hooksPort = Number(gateway.get('INGEST_HOOKS_PORT'));
    for (const serviceManifest of servicesOfKind()) {
      const type = scalarText(at(serviceManifest.object, 'spec', 'type')) ?? 'ClusterIP';
      if (type === 'ClusterIP') continue;
      for (const entry of (at(serviceManifest.object, 'spec', 'ports') as unknown[] | undefined) ?? []) {
        const target = serviceTarget(serviceManifest.name, Number(at(entry, 'port')));
        assert.ok(!(target?.workload === 'gateway' && target.containerPort === hooksPort), `Service ${serviceManifest.name} (${type}) exposes the hooks listener outside the cluster`);
      }
    }
  });

  it("sends Icecast's hooks to the gateways' hook listener, with their secret, also to gateways not yet ready, and lets only the ingest servers call it", () => {
    const rendered = runIcecastEntrypoint(processEnvironment({ kind: 'icecast' }, environment('icecast').values));
    assert.equal(rendered.code, 0, rendered.stderr);
    const calls = icecastHookCalls(rendered.config);
    assert.deepEqual([...new Set(calls.map((call) => call.action))].sort(), ICECAST_HOOK_ACTIONS);
    const gateway = configuredValues(configOf('gateway'), processEnvironment({ kind: 'service', service: 'gateway' }, environment('gateway').values));
    const routes = gatewayIcecastHookRoutes();
    for (const { mount, action, url } of calls) {
      const where = `${mount} ${action}`;
      const address = addressIn(url);
      assert.ok(address, `${where}: ${url} is not a URL`);
      const target = serviceTarget(address.host, address.port);
      assert.ok(target, `${where} goes to ${address.host}:${address.port}, which no Service serves`);
      assert.equal(target.workload, 'gateway');
      assert.equal(target.containerPort, gateway.get('INGEST_HOOKS_PORT'), `${where} reaches the gateway on ${target.containerPort}, not on its hooks listener`);
      assert.ok(routes.includes(address.path), `${where} calls ${address.path}, which the gateway does not serve`);
      assert.equal(address.query.get('secret'), gateway.get('INGEST_HOOKS_SECRET'), `${where} does not carry the gateway's INGEST_HOOKS_SECRET`);
      assert.equal(at(find(manifests, 'Service', address.host)?.object, 'spec', 'publishNotReadyAddresses'), true, `Service ${address.host} drops the hooks of gateways that are not ready`);
    }
    // Where NetworkPolicies guard the gateways, the hooks port admits nginx-rtmp and Icecast.
    const hooksPort = Number(gateway.get('INGEST_HOOKS_PORT'));
    const gatewayPods = podLabels(workload('gateway'));
    const policies = manifests.filter((manifest) => manifest.kind === 'NetworkPolicy' && selects(at(manifest.object, 'spec', 'podSelector', 'matchLabels'), gatewayPods));
    const admits = (caller: string) =>
      policies.length === 0 ||
      policies.some((policy) =>
        ((at(policy.object, 'spec', 'ingress') as unknown[] | undefined) ?? []).some((rule: unknown) => {
          const ports = at(rule, 'ports') as unknown[] | undefined;
          const from = at(rule, 'from') as unknown[] | undefined;
          const portMatches = ports === undefined || ports.some((entry: unknown) => resolvePort(at(entry, 'port'), container('gateway')) === hooksPort);
          const callerMatches = from === undefined || from.some((peer: unknown) => selects(at(peer, 'podSelector', 'matchLabels'), podLabels(workload(caller))));
          return portMatches && callerMatches;
        }),
      );
    for (const caller of ['nginx-rtmp', 'icecast']) assert.ok(admits(caller), `the NetworkPolicies keep ${caller} from the gateways' hooks listener`);
  });

  it('probes the gateway: alive on GET /api/health, ready on GET /api/health/ready, both on the API port', () => {
    const gateway = container('gateway');
    const apiPort = Number(configuredValues(configOf('gateway'), processEnvironment({ kind: 'service', service: 'gateway' }, environment('gateway').values)).get('GATEWAY_PORT'));
    for (const [probe, path] of [['livenessProbe', HEALTH_PATH], ['readinessProbe', READY_PATH]] as const) {
      assert.equal(at(gateway, probe, 'httpGet', 'path'), path, `the gateway's ${probe} does not ask ${path}`);
      assert.equal(resolvePort(at(gateway, probe, 'httpGet', 'port'), gateway), apiPort, `the gateway's ${probe} does not ask the API port`);
    }
  });

  it('runs two replicas of each service, one nginx-rtmp and one Icecast (each never two at once), and shares one ReadWriteMany volume', () => {
    for (const name of services) assert.equal(at(workload(name).object, 'spec', 'replicas'), 2, `${name} does not run two replicas`);
    for (const name of ['nginx-rtmp', 'icecast']) {
      assert.equal(at(workload(name).object, 'spec', 'replicas'), 1, `${name} does not run one replica`);
      assert.equal(at(workload(name).object, 'spec', 'strategy', 'type'), 'Recreate', `a rolling update would run two ${name} at once, and a DJ could land on either`);
    }
    const claim = find(manifests, 'PersistentVolumeClaim', 'streamcaster-data');
    assert.ok(claim, 'no PersistentVolumeClaim streamcaster-data');
    assert.deepEqual(at(claim.object, 'spec', 'accessModes'), ['ReadWriteMany'], 'the data volume is mounted by pods on several nodes');
    // The public ingest keeps the DJs' addresses, so none falls inside the pod network that may publish the program.
    const ingress = servicesOfKind().filter((candidate) => at(candidate.object, 'spec', 'type') === 'LoadBalancer' && serviceTarget(candidate.name, 1935)?.workload === 'nginx-rtmp');
    assert.ok(ingress.length > 0, 'no LoadBalancer Service for the RTMP ingest');
    for (const candidate of ingress) assert.equal(at(candidate.object, 'spec', 'externalTrafficPolicy'), 'Local', `${candidate.name} hides the DJs' addresses behind the nodes'`);
    // Traktor reaches Icecast from outside, with its own address (Icecast applies an MP3 source's title
    // updates only from the source's address).
    const icecastPort = listening('icecast')[0]?.port ?? 0;
    const traktorIngress = servicesOfKind().filter((candidate) => at(candidate.object, 'spec', 'type') === 'LoadBalancer' && serviceTarget(candidate.name, icecastPort)?.workload === 'icecast');
    assert.ok(traktorIngress.length > 0, `no LoadBalancer Service for Icecast's ${icecastPort}`);
    for (const candidate of traktorIngress) assert.equal(at(candidate.object, 'spec', 'externalTrafficPolicy'), 'Local', `${candidate.name} hides the DJs' addresses behind the nodes'`);
    // Icecast refuses to run as root, and its probes ask the port it listens on.
    const icecastPod = podSpec(workload('icecast'));
    assert.equal(at(icecastPod, 'securityContext', 'runAsNonRoot'), true, 'Icecast may be started as root');
    assert.notEqual(at(icecastPod, 'securityContext', 'runAsUser'), 0);
    for (const probe of ['readinessProbe', 'livenessProbe']) {
      const port = at(container('icecast'), probe, 'httpGet', 'port') ?? at(container('icecast'), probe, 'tcpSocket', 'port');
      assert.equal(resolvePort(port, container('icecast')), icecastPort, `Icecast's ${probe} asks another port than ${icecastPort}`);
      const path = at(container('icecast'), probe, 'httpGet', 'path');
      if (path !== undefined) assert.equal(path, ICECAST_STATUS_PATH, `Icecast's ${probe} asks ${String(path)}, which Icecast may not serve (it serves no static files)`);
    }
  });
});

// ---------------------------------------------------------------------------------------------------

describe('deployment: the checks read files right', () => {
  it('interpolates as compose does', () => {
    const variables = { SET: 'value', EMPTY: '' };
    assert.equal(interpolate('a ${SET} $SET $$SET', variables), 'a value value $SET');
    assert.equal(interpolate('${EMPTY:-fallback} ${EMPTY-kept} ${UNSET-fallback} ${UNSET:-${SET}}', variables), 'fallback  fallback value');
    assert.equal(interpolate('${SET:+alt}|${EMPTY:+alt}|${EMPTY+alt}|${UNSET+alt}', variables), 'alt||alt|');
    assert.throws(() => interpolate('${EMPTY:?needed}', variables), (error: unknown) => error instanceof MissingVariableError && error.variable === 'EMPTY');
    assert.equal(interpolate('${EMPTY?needed}', variables), '');
    assert.deepEqual(
      allInterpolationsIn('a ${X:-${Y}} $$NOT $Z ${W:?need}').map((item) => [item.name, item.operator]),
      [['X', ':-'], ['Y', null], ['Z', null], ['W', ':?']],
    );
    assert.equal(interpolationsIn('${X:-${Y}}').length, 1);
  });

  it('reads addresses the way clients connect', () => {
    const nats = addressIn('nats://u%40x:p%2F@nats:4222');
    assert.ok(nats);
    assert.deepEqual([nats.host, nats.port, nats.user, nats.password], ['nats', 4222, 'u@x', 'p/']);
    assert.equal(addressIn('redis://:pw@redis')?.port, 6379);
    assert.equal(addressIn('postgres://a:b@db/name')?.port, 5432);
    assert.equal(addressIn('http://gateway:8081/api/hooks/nginx-rtmp/publish?secret=x%2By')?.query.get('secret'), 'x+y');
    assert.deepEqual([addressIn('nats:4222')?.host, addressIn('nats:4222')?.port], ['nats', 4222]);
    for (const value of ['0.0.0.0', '8080', 'streamcaster', '', 'deny play 10.0.0.1;']) assert.equal(addressIn(value), undefined, value);
    assert.ok(isLoopback('127.0.0.1') && isLoopback('localhost') && isLoopback('::1') && !isLoopback('nginx-rtmp'));
  });

  it('reads .dockerignore rules as Docker does', () => {
    assert.ok(globToRegExp('**/node_modules').test('apps/x/node_modules'));
    assert.ok(globToRegExp('**/node_modules').test('node_modules'));
    assert.ok(!globToRegExp('dist').test('apps/dist'));
    assert.ok(globToRegExp('*.log').test('a.log') && !globToRegExp('*.log').test('x/a.log'));
  });
});
