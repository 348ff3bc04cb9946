import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from './readiness.js';

const answers = () => Promise.resolve();
const fails = (why: string) => () => Promise.reject(new Error(why));
const never = () => new Promise<void>(() => undefined);

describe('runChecks', () => {
  it('is ready when every check answers', async () => {
    const report = await runChecks({ postgres: answers, publisher: answers }, 200);
    assert.deepEqual(report, { ready: true, checks: { postgres: 'ok', publisher: 'ok' }, message: 'ready', causes: {} });
  });

  it('names what does not answer, in the order given, with the causes kept apart for the log', async () => {
    const report = await runChecks({ postgres: answers, publisher: fails('no responders'), redis: answers, recorder: never }, 100);
    assert.equal(report.ready, false);
    assert.deepEqual(report.checks, { postgres: 'ok', publisher: 'not answering', redis: 'ok', recorder: 'not answering' });
    assert.equal(report.message, 'not ready: publisher, recorder');
    assert.deepEqual(report.causes, { publisher: 'no responders', recorder: 'no answer within 100 ms' });
  });

  it('runs the checks at once: each answers only once all three have started', async () => {
    let started = 0;
    let openBarrier: () => void = () => undefined;
    const barrier = new Promise<void>((resolve) => (openBarrier = resolve));
    const check = () => {
      if (++started === 3) openBarrier();
      return barrier;
    };
    // One after another, the first would wait for the others for ever and time out.
    const report = await runChecks({ a: check, b: check, c: check }, 2_000);
    assert.equal(report.message, 'ready');
  });

  it('turns a check that throws synchronously or rejects with a non-Error into a failure', async () => {
    const throwsAtOnce = () => {
      throw new Error('bad url');
    };
    const report = await runChecks({ nginx: throwsAtOnce, nats: () => Promise.reject(new Error('closed')), odd: () => Promise.reject('text') }, 100);
    assert.deepEqual(report.causes, { nginx: 'bad url', nats: 'closed', odd: 'text' });
  });
});
