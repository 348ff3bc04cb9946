import { resolve, join } from 'node:path';

/**
 * Layout of the shared data volume. Every service mounts it at the same path, so a name written by
 * one (a logo, a recording) means the same file to another.
 */
export class DataPaths {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = resolve(dataDir);
  }

  get assets(): string {
    return join(this.root, 'assets');
  }

  get recordings(): string {
    return join(this.root, 'recordings');
  }

  get scratch(): string {
    return join(this.root, 'scratch');
  }

  asset(name: string): string {
    if (!/^[a-f0-9]{64}\.[a-z0-9]+$/.test(name)) throw new Error(`not an asset name: ${name}`);
    return join(this.assets, name);
  }

  /** Resolves a path relative to the recordings folder, refusing anything that would leave it. */
  recording(relativePath: string): string {
    const path = resolve(this.recordings, relativePath);
    if (!path.startsWith(this.recordings + '/')) throw new Error(`recording path escapes the volume: ${relativePath}`);
    return path;
  }
}
