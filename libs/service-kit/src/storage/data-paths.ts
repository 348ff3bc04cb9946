import { resolve, join, sep } from 'node:path';

/** A name or path that would point outside its folder of the data volume, or at no file at all. */
export class VolumePathError extends Error {
  override readonly name = 'VolumePathError';
}

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

  /** nginx-rtmp's HLS of each program (`<broadcastId>/index.m3u8` and its segments), for the dashboard's preview. */
  get preview(): string {
    return join(this.root, 'preview');
  }

  get scratch(): string {
    return join(this.root, 'scratch');
  }

  asset(name: string): string {
    if (!/^[a-f0-9]{64}\.[a-z0-9]+$/.test(name)) throw new VolumePathError(`not an asset name: ${name}`);
    return join(this.assets, name);
  }

  /**
   * Resolves a path relative to the recordings folder, refusing anything that would leave it. This
   * is about the name only: a symbolic link inside the folder is the caller's to check (realpath).
   */
  recording(relativePath: string): string {
    // The file system would cut the name at the NUL (or Node refuses it): never a name we wrote.
    if (relativePath.includes('\0')) throw new VolumePathError('recording path contains a NUL byte');
    const path = resolve(this.recordings, relativePath);
    if (!path.startsWith(this.recordings + sep)) throw new VolumePathError(`recording path escapes the volume: ${relativePath}`);
    return path;
  }
}
