import { LIVE_CLOSE, liveServerMessageSchema, type LiveClientMessage } from '@streamcaster/contracts';

/** What the client needs of a WebSocket: the browser's, or `ws` in the tests. */
export interface LiveSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export type LiveSocketFactory = (url: string) => LiveSocket;

export interface LiveTokens {
  /** A token good now (the session renews it ahead of expiry); null when signed out. */
  current(): Promise<string | null>;
  /** A fresh one, after the gateway said ours is no good (4401). */
  renew(): Promise<string | null>;
}

export type LiveStatus = 'connecting' | 'open' | 'reconnecting' | 'signed-out' | 'stopped';

export interface TopicListener {
  /** The topic's whole current state (never a diff). */
  data(data: unknown, at: string): void;
  /** The gateway knows no such thing (an unknown broadcast id). */
  error?(message: string): void;
  /** The role may not see it: the topic is dropped, the others go on. */
  forbidden?(): void;
}

export interface LiveClientOptions {
  url: string;
  createSocket: LiveSocketFactory;
  tokens: LiveTokens;
  /** Reconnect backoff: doubles from `initialMs` up to `maxMs`, with jitter. */
  backoff?: { initialMs: number; maxMs: number };
  random?: () => number;
  onStatus?: (status: LiveStatus) => void;
}

const OPEN = 1;

/** Delay before reconnect attempt `attempt` (0-based): capped exponential, jittered to 50–100 %. */
export function reconnectDelayMs(attempt: number, backoff: { initialMs: number; maxMs: number }, random: () => number): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/**
 * The dashboard's one connection to the live channel (`/api/live`). It signs in with its first
 * message, subscribes to every topic some component listens to, and keeps that true across
 * everything: a lost connection reconnects with capped backoff and subscribes again to every topic;
 * 4401 renews the token and reconnects at once; 4403 drops the topics that were not yet confirmed
 * (the one the role may not see among them) and reconnects with the rest; a renewed token is sent
 * as a new `auth` on the open connection before the old one expires.
 */
export class LiveClient {
  private readonly listeners = new Map<string, Set<TopicListener>>();
  private readonly latest = new Map<string, { data: unknown; at: string }>();
  /** Topics sent on this connection, and those the gateway answered with data. */
  private sent = new Set<string>();
  private confirmed = new Set<string>();
  private socket: LiveSocket | null = null;
  private ready = false;
  private attempt = 0;
  private unauthorizedInARow = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private statusValue: LiveStatus = 'stopped';
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly random: () => number;

  constructor(private readonly options: LiveClientOptions) {
    this.backoff = options.backoff ?? { initialMs: 500, maxMs: 10_000 };
    this.random = options.random ?? Math.random;
  }

  get status(): LiveStatus {
    return this.statusValue;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    void this.connect();
  }

  stop(): void {
    this.running = false;
    this.clearTimer();
    const socket = this.socket;
    this.detach();
    socket?.close(1000, 'signed out');
    this.latest.clear();
    this.setStatus('stopped');
  }

  /** Listens to a topic; its latest state comes at once if known. Returns the way to stop listening. */
  subscribe(topic: string, listener: TopicListener): () => void {
    let set = this.listeners.get(topic);
    if (!set) {
      set = new Set();
      this.listeners.set(topic, set);
    }
    set.add(listener);
    const known = this.latest.get(topic);
    if (known) listener.data(known.data, known.at);
    this.sendSubscriptions();
    return () => {
      const current = this.listeners.get(topic);
      if (!current?.delete(listener) || current.size > 0) return;
      this.listeners.delete(topic);
      this.latest.delete(topic);
      if (this.ready && this.sent.delete(topic)) this.send({ type: 'unsubscribe', topic });
      this.confirmed.delete(topic);
    };
  }

  /** A renewed token: signs the open connection in again, so the gateway does not close it at expiry. */
  authenticate(token: string): void {
    if (this.socket?.readyState === OPEN) this.send({ type: 'auth', token });
  }

  private async connect(): Promise<void> {
    this.timer = null;
    if (!this.running) return;
    this.setStatus(this.attempt === 0 && this.unauthorizedInARow === 0 ? 'connecting' : 'reconnecting');
    let token: string | null;
    try {
      token = await this.options.tokens.current();
    } catch {
      this.scheduleReconnect();
      return;
    }
    if (!this.running) return;
    if (!token) {
      this.setStatus('signed-out');
      return;
    }
    const socket = this.options.createSocket(this.options.url);
    this.socket = socket;
    this.sent = new Set();
    this.confirmed = new Set();
    socket.onopen = () => this.send({ type: 'auth', token });
    socket.onmessage = (event) => this.handleMessage(event.data);
    socket.onclose = (event) => void this.handleClose(socket, event.code);
    socket.onerror = () => undefined; // a close event follows; that is where we act
  }

  private handleMessage(raw: unknown): void {
    let json: unknown;
    try {
      json = JSON.parse(typeof raw === 'string' ? raw : String(raw));
    } catch {
      return;
    }
    const parsed = liveServerMessageSchema.safeParse(json);
    if (!parsed.success) return;
    const message = parsed.data;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.attempt = 0;
        this.unauthorizedInARow = 0;
        this.setStatus('open');
        this.sendSubscriptions();
        break;
      case 'data': {
        const listeners = this.listeners.get(message.topic);
        if (!listeners) return;
        this.confirmed.add(message.topic);
        this.latest.set(message.topic, { data: message.data, at: message.at });
        for (const listener of [...listeners]) listener.data(message.data, message.at);
        break;
      }
      case 'error':
        if (message.topic) {
          this.confirmed.add(message.topic);
          for (const listener of [...(this.listeners.get(message.topic) ?? [])]) listener.error?.(message.message);
        }
        break;
    }
  }

  private async handleClose(socket: LiveSocket, code: number): Promise<void> {
    if (socket !== this.socket) return; // an old connection's late close
    const pending = [...this.sent].filter((topic) => !this.confirmed.has(topic));
    this.detach();
    if (!this.running) return;
    if (code === LIVE_CLOSE.unauthorized) {
      this.unauthorizedInARow += 1;
      let token: string | null;
      try {
        token = await this.options.tokens.renew();
      } catch {
        // A passing failure (the gateway restarting): try again after the backoff.
        this.scheduleReconnect();
        return;
      }
      if (!this.running) return;
      if (token === null) {
        this.setStatus('signed-out');
        return;
      }
      // At once the first time; a token refused twice in a row waits its backoff like any failure.
      if (this.unauthorizedInARow === 1) {
        this.setStatus('reconnecting');
        void this.connect();
        return;
      }
    } else if (code === LIVE_CLOSE.forbidden) {
      for (const topic of pending) {
        const listeners = [...(this.listeners.get(topic) ?? [])];
        this.listeners.delete(topic);
        this.latest.delete(topic);
        for (const listener of listeners) listener.forbidden?.();
      }
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (!this.running) return;
    this.setStatus('reconnecting');
    const delay = reconnectDelayMs(this.attempt, this.backoff, this.random);
    this.attempt += 1;
    this.clearTimer();
    this.timer = setTimeout(() => void this.connect(), delay);
  }

  /** Subscribes, on a signed-in connection, to each topic listened to and not yet sent. */
  private sendSubscriptions(): void {
    if (!this.ready) return;
    for (const topic of this.listeners.keys()) {
      if (this.sent.has(topic)) continue;
      this.sent.add(topic);
      this.send({ type: 'subscribe', topic });
    }
  }

  private send(message: LiveClientMessage): void {
    if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }

  private detach(): void {
    if (this.socket) {
      this.socket.onopen = null;
      this.socket.onmessage = null;
      this.socket.onclose = null;
    }
    this.socket = null;
    this.ready = false;
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private setStatus(status: LiveStatus): void {
    if (status === this.statusValue) return;
    this.statusValue = status;
    this.options.onStatus?.(status);
  }
}
