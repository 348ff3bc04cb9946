import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SupervisedProcess } from '@streamcaster/supervisor';
import { freePort } from '../free-port.js';

/**
 * A real nginx-rtmp with StreamCaster's applications (`live`, `test`, `program`), its statistics
 * page (`statUrl`) and none of the gateway's hooks: what a service reads and writes when it is tested
 * on its own (the transcoder reads a DJ and publishes the program, the recorder and the relays read
 * the program, the stats service reads /stat). As in production, a player of a stream nobody
 * publishes yet waits for it.
 */
export class RtmpServer {
  private constructor(
    private readonly nginx: SupervisedProcess,
    /** rtmp://127.0.0.1:<port>, without an application. */
    readonly url: string,
    /** nginx-rtmp's statistics page (`rtmp_stat all`), as the stats service and the gateway read it. */
    readonly statUrl: string,
  ) {}

  /**
   * `programHooks`: nginx-rtmp's publish notifications of the program application, POSTed where it
   * says (a test counts the publishes of a program that must never restart).
   */
  static async start(directory: string, programHooks?: { onPublish: string; onPublishDone: string }): Promise<RtmpServer> {
    const port = await freePort();
    const statPort = await freePort();
    await mkdir(directory, { recursive: true });
    const config = join(directory, 'nginx.conf');
    await writeFile(
      config,
      [
        'daemon off;',
        `pid ${join(directory, 'nginx.pid')};`,
        `error_log ${join(directory, 'nginx.log')} notice;`,
        'load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;',
        'events { worker_connections 256; }',
        'rtmp { server {',
        `  listen 127.0.0.1:${port};`,
        '  chunk_size 4096;',
        // As in infra/nginx-rtmp: a player of the DJ's stream (the transcoder) starts on a keyframe. Not
        // the program's players: a relay that waited for the next keyframe would reach its platform
        // up to a GOP later, and the platforms' decoders wait for one anyway.
        '  application live { live on; wait_key on; }',
        '  application test { live on; wait_key on; }',
        `  application program { live on; ${programHooks ? `notify_method post; on_publish ${programHooks.onPublish}; on_publish_done ${programHooks.onPublishDone};` : ''} }`,
        '} }',
        'http {',
        '  access_log off;',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${join(directory, kind)};`),
        `  server { listen 127.0.0.1:${statPort}; location /stat { rtmp_stat all; } }`,
        '}',
      ].join('\n'),
    );
    const nginx = new SupervisedProcess({
      name: 'nginx-rtmp',
      command: 'nginx',
      args: ['-c', config, '-p', directory, '-e', join(directory, 'nginx.log')],
      restart: 'never',
      readiness: { kind: 'tcp', host: '127.0.0.1', port },
      stopSignal: 'SIGQUIT',
      stopTimeoutMs: 3_000,
    });
    await nginx.start();
    return new RtmpServer(nginx, `rtmp://127.0.0.1:${port}`, `http://127.0.0.1:${statPort}/stat`);
  }

  stop(): Promise<void> {
    return this.nginx.stop();
  }
}
