import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { DataPaths, VolumePathError } from './data-paths.js';

const ROOT = '/srv/streamcaster/data';
const SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('DataPaths', () => {
  it('resolves a relative data dir against the working directory', () => {
    assert.equal(new DataPaths('var/data').root, resolve('var/data'));
    assert.equal(new DataPaths(`${ROOT}/`).root, ROOT);
  });

  it('lays out assets, recordings and scratch under the root', () => {
    const paths = new DataPaths(ROOT);
    assert.equal(paths.assets, `${ROOT}/assets`);
    assert.equal(paths.recordings, `${ROOT}/recordings`);
    assert.equal(paths.scratch, `${ROOT}/scratch`);
  });

  describe('asset', () => {
    it('accepts a sha256 hex name with a lowercase extension', () => {
      const paths = new DataPaths(ROOT);
      assert.equal(paths.asset(`${SHA256}.png`), `${ROOT}/assets/${SHA256}.png`);
      assert.equal(paths.asset(`${SHA256}.webp`), `${ROOT}/assets/${SHA256}.webp`);
    });

    it('rejects anything else, path tricks included', () => {
      const paths = new DataPaths(ROOT);
      for (const name of [
        'logo.png',
        SHA256,
        `${SHA256}.`,
        `${SHA256.slice(1)}.png`,
        `${SHA256}0.png`,
        `${SHA256.toUpperCase()}.png`,
        `${SHA256}.PNG`,
        `${SHA256}.png/`,
        `${SHA256}.tar.gz`,
        `../${SHA256}.png`,
        `${SHA256}.png/../../secret`,
        `/etc/${SHA256}.png`,
        `${SHA256}.png\n`,
        '',
      ]) {
        assert.throws(() => paths.asset(name), { name: 'VolumePathError', message: `not an asset name: ${name}` }, JSON.stringify(name));
      }
    });
  });

  describe('recording', () => {
    it('resolves paths inside the recordings folder', () => {
      const paths = new DataPaths(ROOT);
      assert.equal(paths.recording('b-1/part-0001.flv'), `${ROOT}/recordings/b-1/part-0001.flv`);
      assert.equal(paths.recording('b-1/../b-2/final.mp4'), `${ROOT}/recordings/b-2/final.mp4`);
      assert.equal(paths.recording('./b-1.mp4'), join(paths.recordings, 'b-1.mp4'));
    });

    it('refuses any path that would leave the recordings folder', () => {
      const paths = new DataPaths(ROOT);
      for (const path of [
        '../assets/x.png',
        '../../../etc/passwd',
        'b-1/../../scratch/x',
        '/etc/passwd',
        `${ROOT}/scratch/x`,
        '../recordings-evil/x.mp4',
        '..',
        '.',
        '',
      ]) {
        assert.throws(() => paths.recording(path), { name: 'VolumePathError', message: `recording path escapes the volume: ${path}` }, JSON.stringify(path));
      }
    });

    it('refuses a path with a NUL byte, which would name another file than it shows', () => {
      const paths = new DataPaths(ROOT);
      for (const path of ['b-1/final.mp4\0.txt', '\0', 'b-1\0/../../../etc/passwd']) {
        assert.throws(() => paths.recording(path), (error) => error instanceof VolumePathError && error.message === 'recording path contains a NUL byte', JSON.stringify(path));
      }
    });
  });
});
