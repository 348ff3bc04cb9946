import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { z } from 'zod';
import {
  destinationCreateSchema,
  destinationPatchSchema,
  destinationUrlSchema,
  streamKeySchema,
  UpdateDestination,
} from './destinations.command.js';

const URL_MESSAGE = 'url must be an rtmp:// or rtmps:// URL with a host, e.g. rtmps://live.example.com:443/app';

function messagesOf(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  assert.equal(result.success, false, `${JSON.stringify(value)} was accepted`);
  return result.error?.issues.map((issue) => issue.message) ?? [];
}

describe('destinationUrlSchema', () => {
  it('accepts rtmp:// and rtmps:// URLs with a host, port and path', () => {
    for (const url of [
      'rtmp://a.rtmp.youtube.com/live2',
      'rtmps://live-api-s.facebook.com:443/rtmp/',
      'rtmp://127.0.0.1:1935/live',
      'rtmps://ingest.example.com',
      'RTMP://INGEST.EXAMPLE.COM/app',
    ]) {
      assert.equal(destinationUrlSchema.parse(url), url);
    }
  });

  it('trims surrounding whitespace pasted with the URL', () => {
    assert.equal(destinationUrlSchema.parse('  rtmps://live.example.com:443/app \n'), 'rtmps://live.example.com:443/app');
  });

  it('rejects other schemes, a missing host and spaces, with the explanatory message', () => {
    for (const url of [
      'http://live.example.com/app',
      'https://live.example.com/app',
      'rtmp://',
      'rtmps://',
      'rtmp:///app',
      'ftp://x',
      'live.example.com/app',
      'rtmp://live.example.com/my app',
      '',
    ]) {
      assert.deepEqual(messagesOf(destinationUrlSchema, url), [URL_MESSAGE], url);
    }
  });

  it('rejects a value that is not a string', () => {
    assert.equal(destinationUrlSchema.safeParse(42).success, false);
    assert.equal(destinationUrlSchema.safeParse(null).success, false);
  });
});

describe('streamKeySchema', () => {
  it('accepts a typical platform key and trims it', () => {
    assert.equal(streamKeySchema.parse('  abcd-1234-efgh-5678_XYZ  '), 'abcd-1234-efgh-5678_XYZ');
  });

  it('accepts 512 characters and rejects 513', () => {
    assert.equal(streamKeySchema.parse('k'.repeat(512)), 'k'.repeat(512));
    assert.deepEqual(messagesOf(streamKeySchema, 'k'.repeat(513)), ['streamKey is longer than 512 characters']);
  });

  it('rejects an empty or blank key', () => {
    assert.deepEqual(messagesOf(streamKeySchema, ''), ['streamKey must not be empty']);
    assert.ok(messagesOf(streamKeySchema, '   ').includes('streamKey must not be empty'));
  });

  it('rejects keys that would break the URL they are appended to', () => {
    for (const key of ['abc def', 'abc\tdef', 'abc/def', 'abc?def=1', 'abc#def']) {
      assert.deepEqual(messagesOf(streamKeySchema, key), ['streamKey must not contain spaces, "/", "?" or "#"'], key);
    }
  });
});

describe('destinationCreateSchema', () => {
  const create = {
    environment: 'live',
    platform: 'rtmp',
    name: ' YouTube main ',
    url: 'rtmp://a.rtmp.youtube.com/live2',
    streamKey: 'abcd-1234',
  };

  it('trims the name and enables the destination by default', () => {
    assert.deepEqual(destinationCreateSchema.parse(create), { ...create, name: 'YouTube main', enabled: true });
  });

  it('rejects an unknown environment or platform and a blank name', () => {
    assert.equal(destinationCreateSchema.safeParse({ ...create, environment: 'staging' }).success, false);
    assert.equal(destinationCreateSchema.safeParse({ ...create, platform: 'twitch-api' }).success, false);
    assert.deepEqual(messagesOf(destinationCreateSchema, { ...create, name: '   ' }), ['name must not be empty']);
  });

  const accountId = '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';

  it('takes an API platform with an account and no URL or key; privacy is optional', () => {
    for (const platform of ['youtube', 'twitch', 'facebook', 'kick']) {
      assert.deepEqual(destinationCreateSchema.parse({ environment: 'live', platform, name: 'Main', accountId }), {
        environment: 'live',
        platform,
        name: 'Main',
        accountId,
        enabled: true,
      });
    }
    const unlisted = destinationCreateSchema.parse({ environment: 'live', platform: 'youtube', name: 'Main', accountId, privacy: 'unlisted' });
    assert.equal('privacy' in unlisted ? unlisted.privacy : undefined, 'unlisted');
    assert.deepEqual(messagesOf(destinationCreateSchema, { environment: 'live', platform: 'youtube', name: 'Main', accountId: 'nope' }), [
      'accountId must be the id of a connected platform account',
    ]);
    assert.equal(destinationCreateSchema.safeParse({ environment: 'live', platform: 'youtube', name: 'Main', accountId, privacy: 'friends' }).success, false);
  });

  it('an rtmp destination still needs its URL and key', () => {
    assert.equal(destinationCreateSchema.safeParse({ environment: 'live', platform: 'rtmp', name: 'X', accountId }).success, false);
  });

  it('refuses Kick in Test with the reason: Kick has no private mode', () => {
    assert.deepEqual(messagesOf(destinationCreateSchema, { environment: 'test', platform: 'kick', name: 'Kick', accountId }), [
      'Kick has no private or test mode: anything sent to Kick is public, so Kick is left out of Test',
    ]);
    assert.equal(destinationCreateSchema.safeParse({ environment: 'test', platform: 'youtube', name: 'YouTube', accountId }).success, true);
  });
});

describe('destinationPatchSchema', () => {
  it('accepts an empty patch and does not invent an enabled flag', () => {
    assert.deepEqual(destinationPatchSchema.parse({}), {});
  });

  it('accepts each editable field alone, validated as on create', () => {
    assert.deepEqual(destinationPatchSchema.parse({ name: ' Twitch ' }), { name: 'Twitch' });
    assert.deepEqual(destinationPatchSchema.parse({ enabled: false }), { enabled: false });
    assert.deepEqual(destinationPatchSchema.parse({ url: ' rtmps://x.example.com/app ' }), { url: 'rtmps://x.example.com/app' });
    assert.deepEqual(destinationPatchSchema.parse({ streamKey: 'new-key' }), { streamKey: 'new-key' });
    assert.deepEqual(messagesOf(destinationPatchSchema, { url: 'http://x.example.com/app' }), [URL_MESSAGE]);
    assert.deepEqual(messagesOf(destinationPatchSchema, { streamKey: 'a b' }), ['streamKey must not contain spaces, "/", "?" or "#"']);
    assert.equal(destinationPatchSchema.safeParse({ enabled: 'yes' }).success, false);
  });

  it('does not let a patch move a destination to another environment or platform', () => {
    const parsed = destinationPatchSchema.parse({ environment: 'test', platform: 'rtmp', name: 'x' });
    assert.deepEqual(parsed, { name: 'x' });
  });

  it('is what UpdateDestination expects next to the destination id', () => {
    const request = { id: '5d3c2b1a-0f9e-4d8c-b7a6-958473625140', patch: { enabled: true } };
    assert.deepEqual(UpdateDestination.request.parse(request), request);
    assert.equal(UpdateDestination.request.safeParse({ ...request, id: 'five' }).success, false);
  });
});
