import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_VJ_SETTINGS } from '../branding/vj-settings.js';
import { TRANSCODE_QUEUE, transcodeJobSchema, type TranscodeJob } from './transcode.job.js';

const job: TranscodeJob = {
  broadcastId: '3a2b1c0d-9e8f-4a6b-8c4d-3e2f1a0b9c8d',
  environment: 'test',
  input: { app: 'test', streamName: 'b-3a2b1c0d' },
  djName: 'DJ Example',
  logo: { assetName: `${'ab'.repeat(32)}.png`, position: 'top-right', width: 640, height: 320 },
  slate: { organizationName: 'Club', message: 'DJ Example will be right back' },
  vj: { scenes: ['scope'], palette: 'cool', phraseBeats: 32 },
};

describe('transcodeJobSchema', () => {
  it('accepts a job with a logo and a job without one', () => {
    assert.deepEqual(transcodeJobSchema.parse(job), job);
    assert.deepEqual(transcodeJobSchema.parse({ ...job, logo: null }), { ...job, logo: null });
  });

  it('reads a job from before the slate with an empty slate text (the transcoder words it then)', () => {
    const { slate: _slate, ...older } = job;
    assert.deepEqual(transcodeJobSchema.parse(older).slate, { organizationName: '', message: '' });
  });

  it("reads a job from before the VJ's settings with the defaults: every scene, the rainbow, 16 beats", () => {
    const { vj: _vj, ...older } = job;
    assert.deepEqual(transcodeJobSchema.parse(older).vj, DEFAULT_VJ_SETTINGS);
    assert.deepEqual(DEFAULT_VJ_SETTINGS, { scenes: ['spectrum', 'scope', 'histogram'], palette: 'rainbow', phraseBeats: 16 });
  });

  it('requires logo to be given, even as null', () => {
    const { logo: _logo, ...withoutLogo } = job;
    assert.equal(transcodeJobSchema.safeParse(withoutLogo).success, false);
  });

  it('rejects a job whose fields are out of their domain', () => {
    const broken: Array<[string, unknown]> = [
      ['broadcastId not a uuid', { ...job, broadcastId: 'b-1' }],
      ['unknown environment', { ...job, environment: 'prod' }],
      ['unknown ingest app', { ...job, input: { app: 'vod', streamName: 'x' } }],
      ['empty stream name', { ...job, input: { app: 'live', streamName: '' } }],
      ['unknown logo position', { ...job, logo: { assetName: 'a.png', position: 'center' } }],
      ['djName missing', { ...job, djName: undefined }],
    ];
    for (const [why, value] of broken) assert.equal(transcodeJobSchema.safeParse(value).success, false, why);
  });

  it('keeps its queue name (jobs waiting in Redis depend on it)', () => {
    assert.equal(TRANSCODE_QUEUE, 'transcode');
  });
});
