import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EmptyResponseException } from '@nestjs/microservices/errors/empty-response.exception.js';
import { GetRecording, UpdateBranding } from '@streamcaster/contracts';
import { TimeoutError } from 'rxjs';
import { BusRequestError } from './bus-error.js';

describe('BusRequestError.from', () => {
  it('passes the owner\'s own refusal on unchanged, without a technical cause', () => {
    const error = BusRequestError.from({ code: 'not_found', message: 'no recording with id 42' }, GetRecording, 5_000);
    assert.equal(error.code, 'not_found');
    assert.equal(error.message, 'no recording with id 42');
    assert.equal(error.technicalCause, undefined);
  });

  it('names the owner when nobody listens, and keeps the transport\'s text out of the message', () => {
    const error = BusRequestError.from(new EmptyResponseException('x.branding.update.v1'), UpdateBranding, 5_000);
    assert.equal(error.code, 'unavailable');
    assert.equal(error.message, 'the publisher service is not available');
    assert.equal(error.technicalCause, 'branding.update.v1: no publisher is subscribed (no responders)');
  });

  it('names the owner on a timeout and on a lost connection (which Nest rejects with a string)', () => {
    const late = BusRequestError.from(new TimeoutError(), GetRecording, 1_500);
    assert.equal(late.message, 'the recorder service is not available');
    assert.equal(late.technicalCause, 'recordings.get.v1: no answer within 1500 ms');
    const lost = BusRequestError.from('Error: Connection lost. Trying to reconnect...', GetRecording, 1_500);
    assert.equal(lost.message, 'the recorder service is not available');
    assert.equal(lost.technicalCause, 'recordings.get.v1: bus failure: Error: Connection lost. Trying to reconnect...');
    const closed = BusRequestError.from(new Error('Connection closed'), GetRecording, 1_500);
    assert.equal(closed.technicalCause, 'recordings.get.v1: bus failure: Connection closed');
  });

  it('says the owner failed when it answered with Nest\'s generic error instead of a contract error', () => {
    const error = BusRequestError.from({ status: 'error', message: 'Internal server error' }, UpdateBranding, 5_000);
    assert.equal(error.code, 'unavailable');
    assert.equal(error.message, 'the publisher service failed to answer; its log has the details');
    assert.match(error.technicalCause ?? '', /Internal server error/);
  });
});
