import { randomInt } from 'node:crypto';
import { runOnce, type RunResult } from '@streamcaster/supervisor';

/**
 * A second host for tests: a network namespace joined to this machine by a veth pair on a private
 * /30 of its own. Traffic from it reaches our servers from an address that is not loopback, as a
 * machine outside the internal network would.
 */
export class OutsideHost {
  private constructor(
    readonly namespace: string,
    private readonly hostSide: string,
    /** This machine's address as the outside host sees it. */
    readonly serverAddress: string,
    /** The outside host's own address. */
    readonly address: string,
  ) {}

  static async create(): Promise<OutsideHost> {
    const id = randomInt(1, 60_000).toString(36);
    const namespace = `sc-out-${id}`;
    const hostSide = `scv${id}`;
    const peer = `scp${id}`;
    // 10.231.x.y/30 inside the test's own namespace pair; nothing else routes there.
    const block = randomInt(0, 16_384) * 4;
    const base = `10.231.${Math.floor(block / 256)}.`;
    const serverAddress = `${base}${(block % 256) + 1}`;
    const address = `${base}${(block % 256) + 2}`;
    const steps: string[][] = [
      ['netns', 'add', namespace],
      ['link', 'add', hostSide, 'type', 'veth', 'peer', 'name', peer],
      ['link', 'set', peer, 'netns', namespace],
      ['addr', 'add', `${serverAddress}/30`, 'dev', hostSide],
      ['link', 'set', hostSide, 'up'],
      ['netns', 'exec', namespace, 'ip', 'addr', 'add', `${address}/30`, 'dev', peer],
      ['netns', 'exec', namespace, 'ip', 'link', 'set', peer, 'up'],
      ['netns', 'exec', namespace, 'ip', 'link', 'set', 'lo', 'up'],
    ];
    const host = new OutsideHost(namespace, hostSide, serverAddress, address);
    for (const step of steps) {
      const result = await runOnce('ip', step, 10_000);
      if (result.code !== 0) {
        await host.dispose();
        throw new Error(`ip ${step.join(' ')} failed: ${result.stderr.trim()} (needs root and iproute2)`);
      }
    }
    return host;
  }

  /** Runs a command on the outside host. */
  run(command: string, args: string[], timeoutMs = 30_000): Promise<RunResult> {
    return runOnce('ip', ['netns', 'exec', this.namespace, command, ...args], timeoutMs);
  }

  async dispose(): Promise<void> {
    await runOnce('ip', ['link', 'del', this.hostSide], 10_000);
    await runOnce('ip', ['netns', 'del', this.namespace], 10_000);
  }
}
