import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccountAccess } from '../platform-accounts/platform-accounts.service.js';
import { PlatformError } from '../platforms/platform-error.js';
import { callWithFreshToken, type CallSubject, type TokenSource } from './platform-call.js';

const SUBJECT: CallSubject = {
  accountId: 'a1',
  environment: 'live',
  privacy: null,
  title: 'Set',
  description: '',
  startedAt: new Date(0),
  signal: new AbortController().signal,
};

function tokens(): TokenSource & { refreshed: string[] } {
  const access = (accessToken: string): AccountAccess => ({ accountId: 'a1', platform: 'twitch', environment: 'live', externalId: 'u1', accessToken });
  const refreshed: string[] = [];
  return {
    refreshed,
    access: () => Promise.resolve(access('stale')),
    refreshAfterRefusal: (_accountId, failed) => {
      refreshed.push(failed);
      return Promise.resolve(access('fresh'));
    },
  };
}

describe('callWithFreshToken', () => {
  it('gives the call the subject and the account, and refreshes nothing when the token is taken', async () => {
    const source = tokens();
    const seen = await callWithFreshToken('twitch', source, SUBJECT, (context) => Promise.resolve(context));
    assert.deepEqual(seen, { ...SUBJECT, externalId: 'u1', accessToken: 'stale' });
    assert.deepEqual(source.refreshed, []);
  });

  it('refreshes the refused token once and makes the call again with the new one', async () => {
    const source = tokens();
    const used: string[] = [];
    const answer = await callWithFreshToken('twitch', source, SUBJECT, (context) => {
      used.push(context.accessToken);
      return context.accessToken === 'stale' ? Promise.reject(new PlatformError('twitch', 'auth', 'Invalid OAuth token')) : Promise.resolve('done');
    });
    assert.equal(answer, 'done');
    assert.deepEqual(used, ['stale', 'fresh']);
    assert.deepEqual(source.refreshed, ['stale']);
  });

  it('calls a sign-in refused twice revoked, and passes any other failure on as it is', async () => {
    await assert.rejects(
      callWithFreshToken('twitch', tokens(), SUBJECT, () => Promise.reject(new PlatformError('twitch', 'auth', 'Invalid OAuth token'))),
      (error: unknown) => error instanceof PlatformError && error.kind === 'revoked' && /^Twitch refuses even a freshly renewed sign-in \(Invalid OAuth token\); reconnect the account$/.test(error.message),
    );
    const refused = new PlatformError('twitch', 'refused', 'Title is too long.');
    await assert.rejects(callWithFreshToken('twitch', tokens(), SUBJECT, () => Promise.reject(refused)), (error: unknown) => error === refused);
  });
});
