import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderTemplate, TEMPLATE_PLACEHOLDERS, type TemplateContext } from './title-template.js';

const CONTEXT: TemplateContext = {
  dj: 'DJ Nova',
  org: 'Radio Kosmos',
  startedAt: new Date('2026-03-14T18:05:00Z'),
  environment: 'live',
  timeZone: 'UTC',
};
const render = (template: string, overrides: Partial<TemplateContext> = {}) => renderTemplate(template, { ...CONTEXT, ...overrides });

describe('renderTemplate', () => {
  it('fills every documented placeholder', () => {
    assert.equal(render('{dj} @ {org} {date} {time} [{environment}]'), 'DJ Nova @ Radio Kosmos 2026-03-14 18:05 [live]');
    assert.deepEqual([...TEMPLATE_PLACEHOLDERS], ['{dj}', '{org}', '{date}', '{time}', '{environment}']);
    for (const placeholder of TEMPLATE_PLACEHOLDERS) {
      assert.ok(!render(placeholder).includes('{'), `${placeholder} left unrendered`);
    }
  });

  it('fills the same placeholder each time it appears', () => {
    assert.equal(render('{dj}/{dj}/{dj}'), 'DJ Nova/DJ Nova/DJ Nova');
  });

  it('renders the test environment', () => {
    assert.equal(render('{environment}', { environment: 'test' }), 'test');
  });

  it('pads month, day, hour and minute to two digits', () => {
    assert.equal(render('{date} {time}', { startedAt: new Date('2026-02-03T04:05:00Z') }), '2026-02-03 04:05');
  });

  it('writes midnight as 00, never 24', () => {
    assert.equal(render('{date} {time}', { startedAt: new Date('2026-06-01T00:07:00Z') }), '2026-06-01 00:07');
  });

  it('renders date and time in the organisation time zone, across a day boundary', () => {
    const startedAt = new Date('2026-01-01T23:30:00Z');
    assert.equal(render('{date} {time}', { startedAt, timeZone: 'Europe/Paris' }), '2026-01-02 00:30');
    assert.equal(render('{date} {time}', { startedAt, timeZone: 'UTC' }), '2026-01-01 23:30');
    assert.equal(render('{date} {time}', { startedAt, timeZone: 'America/New_York' }), '2026-01-01 18:30');
  });

  it('follows daylight saving time', () => {
    // Paris is UTC+2 in summer.
    assert.equal(render('{time}', { startedAt: new Date('2026-07-01T12:00:00Z'), timeZone: 'Europe/Paris' }), '14:00');
    // Half-hour offset, and a backwards day change.
    assert.equal(render('{date} {time}', { startedAt: new Date('2026-01-01T20:00:00Z'), timeZone: 'Asia/Kolkata' }), '2026-01-02 01:30');
  });

  it('turns {{ and }} into literal braces, without filling what they enclose', () => {
    assert.equal(render('{{dj}}'), '{dj}');
    assert.equal(render('{{{dj}}}'), '{DJ Nova}');
    assert.equal(render('a {{ b }} c'), 'a { b } c');
  });

  it('keeps an unknown or malformed placeholder as written', () => {
    assert.equal(render('{dj} {venue}'), 'DJ Nova {venue}');
    assert.equal(render('{DJ} {d j} {} {dj'), '{DJ} {d j} {} {dj');
  });

  it('keeps placeholders named like Object.prototype members as written', () => {
    // `name in values` also sees inherited members: {constructor} would print a function.
    assert.equal(render('{constructor} {valueof}'), '{constructor} {valueof}');
  });

  it('inserts values literally: a value containing a placeholder or $ patterns is not expanded', () => {
    assert.equal(render('{dj}', { dj: '{org} $& $1' }), '{org} $& $1');
  });
});
