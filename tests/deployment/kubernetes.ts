import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { at, isRecord, readYamlDocuments, readYamlFile, scalarText, type YamlRecord } from './yaml-files.js';

const root = process.cwd();
export const kubernetesDir = join(root, 'deploy', 'kubernetes');
export const KUSTOMIZATION = 'kustomization.yaml';
/** Shows the credentials Secret's keys; applied by the operator with real values, never by kustomize. */
export const SECRET_TEMPLATE = 'secret.template.yaml';

export interface Manifest {
  file: string;
  kind: string;
  name: string;
  object: YamlRecord;
}

/** Every object of every manifest file (the kustomization and the Secret template aside). */
export function loadManifests(): Manifest[] {
  const files = readdirSync(kubernetesDir).filter((file) => file.endsWith('.yaml') && file !== KUSTOMIZATION && file !== SECRET_TEMPLATE);
  return files.flatMap((file) =>
    readYamlDocuments(join(kubernetesDir, file))
      .filter((document) => document !== null)
      .map((document) => {
        assert.ok(isRecord(document), `${file}: a document that is not a mapping`);
        const kind = scalarText(document['kind']);
        const name = scalarText(at(document, 'metadata', 'name'));
        assert.ok(scalarText(document['apiVersion']) && kind && name, `${file}: an object without apiVersion, kind or metadata.name`);
        return { file, kind, name, object: document };
      }),
  );
}

export function kustomization(): YamlRecord {
  return readYamlFile(join(kubernetesDir, KUSTOMIZATION));
}

/** The credentials Secret's keys and their template values. */
export function secretTemplate(): { name: string; data: Map<string, string> } {
  const secret = readYamlFile(join(kubernetesDir, SECRET_TEMPLATE));
  assert.equal(secret['kind'], 'Secret');
  const data = at(secret, 'stringData');
  assert.ok(isRecord(data), `${SECRET_TEMPLATE} has no stringData`);
  return {
    name: scalarText(at(secret, 'metadata', 'name')) ?? '',
    data: new Map(Object.entries(data).map(([key, value]) => [key, scalarText(value) ?? ''])),
  };
}

export function find(manifests: readonly Manifest[], kind: string, name: string): Manifest | undefined {
  return manifests.find((manifest) => manifest.kind === kind && manifest.name === name);
}

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet'];

export function workloads(manifests: readonly Manifest[]): Manifest[] {
  return manifests.filter((manifest) => WORKLOAD_KINDS.includes(manifest.kind));
}

export function podSpec(workload: Manifest): YamlRecord {
  const spec = at(workload.object, 'spec', 'template', 'spec');
  assert.ok(isRecord(spec), `${workload.kind} ${workload.name} has no pod template`);
  return spec;
}

export function podLabels(workload: Manifest): YamlRecord {
  const labels = at(workload.object, 'spec', 'template', 'metadata', 'labels');
  return isRecord(labels) ? labels : {};
}

export function containersOf(workload: Manifest): YamlRecord[] {
  const containers = podSpec(workload)['containers'];
  assert.ok(Array.isArray(containers) && containers.length > 0, `${workload.kind} ${workload.name} has no containers`);
  return containers.map((container: unknown) => {
    assert.ok(isRecord(container), `${workload.name}: a container that is not a mapping`);
    return container;
  });
}

/** Whether a selector's labels all appear among `labels`. */
export function selects(selector: unknown, labels: YamlRecord): boolean {
  return isRecord(selector) && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);
}

export interface ContainerPort {
  name: string | undefined;
  port: number;
}

export function containerPorts(container: YamlRecord): ContainerPort[] {
  const ports = container['ports'];
  if (!Array.isArray(ports)) return [];
  return ports.map((port: unknown) => ({ name: scalarText(at(port, 'name')), port: Number(at(port, 'containerPort')) }));
}

/** A port reference (a number, or the name of a container port) resolved to the number. */
export function resolvePort(reference: unknown, container: YamlRecord): number | undefined {
  if (typeof reference === 'number') return reference;
  const text = scalarText(reference);
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  return containerPorts(container).find((port) => port.name === text)?.port;
}

export interface ContainerEnvironment {
  /** Every variable the container gets, with its value as Kubernetes expands it. */
  values: Map<string, string>;
  /** Variables set only to be expanded into others ($(NAME)), e.g. a password that goes into a URL. */
  expandedOnly: Set<string>;
  /** Secret keys and ConfigMaps the container reads. */
  secretKeys: Array<{ secret: string; key: string; optional: boolean }>;
  configMaps: string[];
}

/**
 * The container's environment as the kubelet builds it: envFrom first, then env in order, each $(NAME)
 * expanded from what was defined before it ($$ escapes), Secret keys from `secrets`, ConfigMap keys
 * from the manifests. A key that neither holds is an error, unless the reference is optional.
 */
export function containerEnvironment(
  container: YamlRecord,
  manifests: readonly Manifest[],
  secrets: ReadonlyMap<string, ReadonlyMap<string, string>>,
): ContainerEnvironment {
  const values = new Map<string, string>();
  const referenced = new Set<string>();
  const secretKeys: ContainerEnvironment['secretKeys'] = [];
  const configMaps: string[] = [];
  const configMapData = (name: string): YamlRecord => {
    const map = find(manifests, 'ConfigMap', name);
    assert.ok(map, `${scalarText(container['name'])} reads ConfigMap ${name}, which no manifest defines`);
    configMaps.push(name);
    const data = map.object['data'];
    return isRecord(data) ? data : {};
  };
  const envFrom = container['envFrom'];
  for (const source of Array.isArray(envFrom) ? envFrom : []) {
    const mapName = scalarText(at(source, 'configMapRef', 'name'));
    if (mapName) for (const [key, value] of Object.entries(configMapData(mapName))) values.set(key, scalarText(value) ?? '');
    const secretName = scalarText(at(source, 'secretRef', 'name'));
    if (secretName) {
      const secret = secrets.get(secretName);
      assert.ok(secret, `${scalarText(container['name'])} reads Secret ${secretName}, which is not known`);
      for (const [key, value] of secret) {
        secretKeys.push({ secret: secretName, key, optional: false });
        values.set(key, value);
      }
    }
  }
  const env = container['env'];
  for (const entry of Array.isArray(env) ? env : []) {
    const name = scalarText(at(entry, 'name'));
    assert.ok(name, `${scalarText(container['name'])}: an env entry without a name`);
    const literal = at(entry, 'value');
    if (literal !== undefined) {
      const text = scalarText(literal) ?? '';
      values.set(
        name,
        text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, variable?: string) => {
          if (whole === '$$') return '$';
          referenced.add(variable ?? '');
          // Kubernetes leaves a reference to an undefined variable as it is.
          return values.get(variable ?? '') ?? whole;
        }),
      );
      continue;
    }
    const secretRef = at(entry, 'valueFrom', 'secretKeyRef');
    const mapRef = at(entry, 'valueFrom', 'configMapKeyRef');
    if (isRecord(secretRef)) {
      const secret = scalarText(secretRef['name']) ?? '';
      const key = scalarText(secretRef['key']) ?? '';
      const optional = secretRef['optional'] === true;
      secretKeys.push({ secret, key, optional });
      const value = secrets.get(secret)?.get(key);
      assert.ok(value !== undefined || optional, `${scalarText(container['name'])}: ${name} comes from ${secret}/${key}, which is not known`);
      if (value !== undefined) values.set(name, value);
    } else if (isRecord(mapRef)) {
      const value = scalarText(configMapData(scalarText(mapRef['name']) ?? '')[scalarText(mapRef['key']) ?? '']);
      assert.ok(value !== undefined || mapRef['optional'] === true, `${scalarText(container['name'])}: ${name} has no value in its ConfigMap`);
      if (value !== undefined) values.set(name, value);
    } else {
      assert.fail(`${scalarText(container['name'])}: env ${name} has neither a value nor a valueFrom it understands`);
    }
  }
  return { values, expandedOnly: referenced, secretKeys, configMaps };
}

/** A container's args (or command) with $(NAME) expanded from its environment. */
export function containerArgs(container: YamlRecord, environment: ReadonlyMap<string, string>): string[] {
  const args = container['args'] ?? container['command'];
  if (!Array.isArray(args)) return [];
  return args.map((arg: unknown) =>
    (scalarText(arg) ?? '').replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, variable?: string) =>
      whole === '$$' ? '$' : (environment.get(variable ?? '') ?? whole),
    ),
  );
}
