import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthcheckRun {
  code: number | null;
  /** The paths the check asked for. */
  paths: string[];
}

/**
 * Runs a container health check command (["CMD", ...] or ["CMD-SHELL", "..."]) against an HTTP server
 * that answers `status` on every path, with `portVariable` naming that server's port, as the container's
 * own port variable would: tells which path the check asks for and whether it passes on that status.
 */
export async function runHealthcheck(test: readonly string[], portVariable: string, status: number): Promise<HealthcheckRun> {
  const paths: string[] = [];
  const server = createServer((request, response) => {
    paths.push(request.url ?? '');
    response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const [kind, ...rest] = test;
    const [command, ...args] = kind === 'CMD-SHELL' ? ['sh', '-c', rest.join(' ')] : rest;
    if (kind !== 'CMD' && kind !== 'CMD-SHELL') throw new Error(`not a health check command: ${JSON.stringify(test)}`);
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(command === 'node' ? process.execPath : (command ?? ''), args, {
        env: { PATH: process.env.PATH, [portVariable]: String(port) },
        stdio: 'ignore',
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('error', reject);
      child.once('close', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    return { code, paths };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
