import { spawn } from 'node:child_process';

/**
 * Runs a compiled service (`dist/apps/<svc>/src/main.js`) as `npm start` would, with `env` over the
 * test's own environment, until it exits; its stdout and stderr together. For the tests of a boot
 * that must fail: one that boots instead would run for ever, so it is killed after `timeoutMs`.
 */
export function runServiceUntilExit(main: string, env: Record<string, string>, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
