import WebSocket from 'ws';
import { LIVE_CHANNEL_PATH, liveServerMessageSchema } from '@streamcaster/contracts';

/** One `data` message as a client received it: its topic, the gateway's `at`, the payload, and when it arrived. */
export interface Arrival {
  topic: string;
  sentAt: number;
  arrivedAt: number;
  data: unknown;
}

/**
 * A client of the gateway's live channel (`/api/live`) as the dashboard is one: signs in with its
 * first message, subscribes to topics, and hands every `data` message to `onData` with its arrival
 * time. Messages are parsed with the contract's schema only when `validate` is set: five hundred
 * clients that each run zod once a second would measure the benchmark, not the gateway.
 */
export class LiveClient {
  closeCode: number | null = null;
  private readonly socket: WebSocket;

  private constructor(
    socket: WebSocket,
    private readonly onData: (arrival: Arrival) => void,
    private readonly validate: boolean,
  ) {
    this.socket = socket;
  }

  /** Connects and signs in; resolves once the gateway said `ready`. */
  static connect(gatewayUrl: string, token: string, onData: (arrival: Arrival) => void, validate = false): Promise<LiveClient> {
    const socket = new WebSocket(`${gatewayUrl.replace(/^http/, 'ws')}${LIVE_CHANNEL_PATH}`);
    const client = new LiveClient(socket, onData, validate);
    return new Promise((resolveReady, reject) => {
      const timer = setTimeout(() => reject(new Error('the live channel did not say ready within 10 s')), 10_000);
      socket.once('open', () => socket.send(JSON.stringify({ type: 'auth', token })));
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.on('close', (code) => {
        client.closeCode = code;
        clearTimeout(timer);
        reject(new Error(`the live channel closed with ${code} before ready`));
      });
      socket.on('message', (raw: Buffer) => {
        const arrivedAt = Date.now();
        const message = client.parse(raw.toString('utf8'));
        if (message.type === 'ready') {
          clearTimeout(timer);
          resolveReady(client);
        } else if (message.type === 'data') {
          client.onData({ topic: message.topic, sentAt: Date.parse(message.at), arrivedAt, data: message.data });
        } else if (message.type === 'error') {
          console.error(`live channel error${message.topic ? ` on ${message.topic}` : ''}: ${message.message}`);
        }
      });
    });
  }

  subscribe(topic: string): void {
    this.socket.send(JSON.stringify({ type: 'subscribe', topic }));
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((settle) => {
      this.socket.once('close', () => settle());
      this.socket.close(1000);
    });
  }

  private parse(text: string): { type: 'ready' } | { type: 'data'; topic: string; at: string; data: unknown } | { type: 'error'; topic?: string; message: string } {
    const json: unknown = JSON.parse(text);
    if (this.validate) return liveServerMessageSchema.parse(json);
    return json as { type: 'data'; topic: string; at: string; data: unknown };
  }
}

/** The value below which `share` (0–1) of the sorted values lie (nearest rank). */
export function percentile(values: number[], share: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))]!;
}
