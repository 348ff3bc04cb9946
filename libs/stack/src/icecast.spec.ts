import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { renderIcecastConfig } from './icecast.js';

const options = {
  root: resolve('.'),
  runDir: '/var/run/ice',
  logDir: '/var/log/ice',
  port: 8123,
  hookUrl: 'http://127.0.0.1:8081/api/hooks',
  hookSecret: 'a+b/c=d&e',
  adminPassword: 'adm<in>"pw"',
  relayPassword: "re'lay&",
};

describe("Icecast's config", () => {
  it('renders every placeholder, the hooks with their percent-encoded secret, and the passwords XML-escaped', () => {
    const xml = renderIcecastConfig(options);
    assert.ok(!xml.includes('${'), 'a placeholder is left');
    assert.match(xml, /<port>8123<\/port>/);
    assert.match(xml, /<bind-address>0\.0\.0\.0<\/bind-address>/);
    assert.ok(xml.includes('value="http://127.0.0.1:8081/api/hooks/icecast/source?secret=a%2Bb%2Fc%3Dd%26e"'), 'the source hook is not as Icecast must call it');
    assert.match(xml, /<admin-password>adm&lt;in&gt;&quot;pw&quot;<\/admin-password>/);
    assert.match(xml, /<relay-password>re&apos;lay&amp;<\/relay-password>/);
    assert.match(xml, /<logdir>\/var\/log\/ice<\/logdir>/);
    assert.match(xml, /<pidfile>\/var\/run\/ice\/icecast\.pid<\/pidfile>/);
    for (const action of ['stream_auth', 'mount_add', 'mount_remove', 'listener_add', 'listener_remove']) {
      assert.equal(xml.split(`name="${action}"`).length - 1, 2, `${action} is not set on both /live/* and /test/*`);
    }
  });

  it('binds where it is told', () => {
    assert.match(renderIcecastConfig({ ...options, bindAddress: '127.0.0.1' }), /<bind-address>127\.0\.0\.1<\/bind-address>/);
  });
});
