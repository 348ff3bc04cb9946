import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { DataPaths } from '@streamcaster/service-kit';

/**
 * Content-addressed files on the shared volume: the name is the SHA-256 of the bytes, so a name
 * never changes meaning and a transcoder reading it mid-upload of another logo is never confused.
 */
@Injectable()
export class AssetStore {
  constructor(private readonly paths: DataPaths) {}

  async put(bytes: Buffer, extension: string): Promise<string> {
    const name = `${createHash('sha256').update(bytes).digest('hex')}.${extension}`;
    const path = this.paths.asset(name);
    await mkdir(this.paths.assets, { recursive: true });
    // Write then rename, so that a reader never sees half a file.
    const partial = `${path}.${process.pid}.partial`;
    await writeFile(partial, bytes);
    await rename(partial, path);
    return name;
  }
}
