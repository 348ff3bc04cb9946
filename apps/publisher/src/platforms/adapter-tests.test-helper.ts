import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loadPublisherConfig, type PublisherConfig } from '../config/publisher.config.js';
import type { PlatformCallContext, PlatformRefs, SaveRefs } from './platform-adapter.js';
import { PlatformError } from './platform-error.js';

// What the adapters' unit specs (beside them) and integration tests (apps/publisher/test) share.

/** The publisher's config from the variables a test names, with a secret key of its own. */
export function adapterTestConfig(variables: Record<string, string>): PublisherConfig {
  return loadPublisherConfig({ STREAMCASTER_SECRET_KEY: randomBytes(32).toString('base64'), ...variables });
}

/** A broadcast step's context: Live, no privacy, started now, never aborted, unless the test says otherwise. */
export function callContext(fields: Pick<PlatformCallContext, 'accountId' | 'externalId' | 'accessToken' | 'title' | 'description'> & Partial<PlatformCallContext>): PlatformCallContext {
  return { environment: 'live', privacy: null, startedAt: new Date(), signal: new AbortController().signal, ...fields };
}

/** Refs kept as the publisher keeps them: each save replaces the last (`refs`); `saves` are all of them, in order. */
export class RefsStore {
  readonly saves: PlatformRefs[] = [];

  get refs(): PlatformRefs {
    return this.saves.at(-1) ?? {};
  }

  readonly save: SaveRefs = async (refs) => void this.saves.push({ ...refs });
}

/**
 * The platform's authorize page as a browser meets it, its redirect not followed: the code it sends
 * back to `redirectUri` with the `state` of the request.
 */
export async function consentCode(authorizeUrl: string | URL, redirectUri: string, state: string): Promise<string> {
  const consent = await fetch(authorizeUrl, { redirect: 'manual' });
  assert.equal(consent.status, 302);
  const callback = new URL(consent.headers.get('location') ?? '');
  assert.equal(`${callback.origin}${callback.pathname}`, redirectUri);
  assert.equal(callback.searchParams.get('state'), state);
  return callback.searchParams.get('code') ?? '';
}

/** The `PlatformError` a call fails with; a call that succeeds, or fails with anything else, fails the test. */
export async function refusal(call: Promise<unknown>): Promise<PlatformError> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof PlatformError, `a PlatformError, not ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail with a PlatformError');
}
