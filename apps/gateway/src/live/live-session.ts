import { formatLiveTopic, LIVE_CLOSE, parseLiveTopic, type LiveServerMessage, type LiveTopic } from '@streamcaster/contracts';
import { authorizeTopic, scopeTopicData, type BroadcastLookup, type LiveUser } from './live-authorizer.js';
import { closeReason, parseClientMessage, serializeServerMessage, serializeShared } from './live-messages.js';
import { TopicCoalescer, type CoalescerClock } from './topic-coalescer.js';

/** A topic's whole current state, as every subscriber gets it (before a dj user's scope). */
export interface TopicState {
  topic: string;
  at: string;
  data: unknown;
}

export interface TopicSubscriber {
  /** `urgent`: a destination changed state; it goes out at once instead of waiting for its second. */
  deliver(state: TopicState, urgent: boolean): void;
}

/** Where the topics' states come from (LiveTopicsService): shared by every socket of the gateway. */
export interface LiveTopicSource {
  findBroadcast: BroadcastLookup;
  /**
   * Adds the subscriber and resolves with the topic's current state if it is known now (null: it
   * arrives by `deliver` once fetched or measured). Rejects when its owner cannot be asked.
   */
  subscribe(topic: LiveTopic, subscriber: TopicSubscriber): Promise<TopicState | null>;
  unsubscribe(topic: string, subscriber: TopicSubscriber): void;
}

/** The socket as the session sees it (a `ws` WebSocket in the gateway, a fake in the unit tests). */
export interface LiveSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
  /** Bytes queued for sending that the client has not taken yet. */
  readonly bufferedAmount: number;
}

/** A token the gateway refuses (invalid, expired, user disabled, session ended): close with 4401. */
export class LiveTokenRefused extends Error {
  override readonly name = 'LiveTokenRefused';
}

export interface LiveSessionOptions {
  /** The REST API's check of an access token (rejects with LiveTokenRefused when refused). */
  verify(token: string): Promise<{ user: LiveUser; expiresAt: Date }>;
  topics: LiveTopicSource;
  authTimeoutMs: number;
  /** At most one message per topic this often. */
  coalesceMs: number;
  /** A client with more than this queued is dropped (4408) rather than allowed to slow the gateway. */
  maxBufferedBytes: number;
  clock: CoalescerClock;
  /** Why a message could not be answered (the owner is down...), for the client's `error` message. */
  describeError(error: unknown): string;
  /** Something that is not the client's fault: logged by the gateway. */
  onInternalError(error: unknown): void;
  onDropped?(): void;
}

/** setTimeout's longest delay; a token that lives longer is checked again by then. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * One client of the live channel: the protocol (sign-in, topics, their authorization, expiry) and
 * what it is sent (current state on subscribing, then changes, coalesced per topic), apart from the
 * socket so that it can be tested without one. Messages are handled one after the other, in order.
 */
export class LiveSession implements TopicSubscriber {
  private user: LiveUser | null = null;
  private closed = false;
  private readonly subscriptions = new Map<string, LiveTopic>();
  /** Subscribed topics that have had no delivery yet: their current state is still to be sent. */
  private readonly awaitingFirst = new Set<string>();
  private readonly coalescer: TopicCoalescer<string>;
  private authTimer: unknown;
  private expiryTimer: unknown;
  private work: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: LiveSocket,
    private readonly options: LiveSessionOptions,
  ) {
    this.coalescer = new TopicCoalescer<string>((_topic, text) => this.send(text), options.coalesceMs, options.clock);
    this.authTimer = options.clock.setTimeout(
      () => this.close(LIVE_CLOSE.unauthorized, `no auth message within ${options.authTimeoutMs / 1000} s`),
      options.authTimeoutMs,
    );
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** A frame from the client. */
  receive(frame: Buffer | ArrayBuffer | Buffer[] | string, isBinary: boolean): void {
    if (this.closed) return;
    const parsed = parseClientMessage(frame, isBinary);
    if (!parsed.ok) {
      this.close(LIVE_CLOSE.badMessage, parsed.reason);
      return;
    }
    const message = parsed.message;
    this.work = this.work
      .then(async () => {
        if (this.closed) return;
        if (message.type === 'auth') return this.authenticate(message.token);
        if (!this.user) return this.close(LIVE_CLOSE.unauthorized, 'sign in first: the first message must be auth');
        if (message.type === 'subscribe') return this.subscribe(message.topic);
        this.unsubscribe(message.topic);
      })
      .catch((error: unknown) => {
        this.options.onInternalError(error);
        this.close(1011, 'internal error');
      });
  }

  /** The topic source has a new state of a topic this session subscribed to. */
  deliver(state: TopicState, urgent: boolean): void {
    if (this.closed || !this.subscriptions.has(state.topic)) return;
    this.awaitingFirst.delete(state.topic);
    this.offer(state, urgent);
  }

  /** Closes the socket with a code of the protocol; nothing more is sent. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.dispose();
    this.socket.close(code, closeReason(reason));
  }

  /** The socket closed (the client left, or the heartbeat gave up on it). */
  ended(): void {
    if (!this.closed) this.dispose();
  }

  private async authenticate(token: string): Promise<void> {
    let verified: { user: LiveUser; expiresAt: Date };
    try {
      verified = await this.options.verify(token);
    } catch (error) {
      if (error instanceof LiveTokenRefused) return this.close(LIVE_CLOSE.unauthorized, error.message);
      throw error;
    }
    if (this.closed) return;
    if (this.user && verified.user.id !== this.user.id) return this.close(LIVE_CLOSE.unauthorized, 'a token of another user');
    const { clock } = this.options;
    this.user = verified.user;
    clock.clearTimeout(this.authTimer);
    if (this.expiryTimer !== undefined) clock.clearTimeout(this.expiryTimer);
    const lifetime = Math.min(Math.max(0, verified.expiresAt.getTime() - clock.now()), LONGEST_TIMER_MS);
    this.expiryTimer = clock.setTimeout(() => this.close(LIVE_CLOSE.unauthorized, 'the access token expired; send auth with a new one before it does'), lifetime);
    this.send(
      serializeServerMessage({ type: 'ready', user: { id: verified.user.id, role: verified.user.role }, expiresAt: verified.expiresAt.toISOString() }),
    );
  }

  private async subscribe(name: string): Promise<void> {
    const topic = parseLiveTopic(name);
    const user = this.user;
    // The schema let it through, so it parses; the check keeps the compiler and a future change honest.
    if (!topic || !user) return this.close(LIVE_CLOSE.badMessage, `unknown topic ${name}`);
    const key = formatLiveTopic(topic);
    let access;
    try {
      access = await authorizeTopic(user, topic, (id) => this.options.topics.findBroadcast(id));
    } catch (error) {
      return this.sendError(key, error);
    }
    if (this.closed) return;
    if (access.kind === 'forbidden') return this.close(access.code, access.reason);
    if (access.kind === 'unknown') return this.send(serializeServerMessage({ type: 'error', topic: key, message: access.message }));
    this.subscriptions.set(key, topic);
    this.awaitingFirst.add(key);
    let current: TopicState | null;
    try {
      current = await this.options.topics.subscribe(topic, this);
    } catch (error) {
      // Still subscribed: the next change the bus announces reaches this client.
      return this.sendError(key, error);
    }
    // A change delivered while the state was being fetched is newer than what came back.
    if (current && this.awaitingFirst.delete(key)) this.offer(current, true);
  }

  private unsubscribe(name: string): void {
    const topic = parseLiveTopic(name);
    if (!topic) return;
    const key = formatLiveTopic(topic);
    if (!this.subscriptions.delete(key)) return;
    this.awaitingFirst.delete(key);
    this.coalescer.forget(key);
    this.options.topics.unsubscribe(key, this);
  }

  private offer(state: TopicState, urgent: boolean): void {
    const topic = this.subscriptions.get(state.topic);
    if (!topic || !this.user) return;
    const data = scopeTopicData(this.user, topic, state.data);
    const message = (): LiveServerMessage => ({ type: 'data', topic: state.topic, at: state.at, data });
    const text = data === state.data ? serializeShared(state, message) : serializeServerMessage(message());
    this.coalescer.offer(state.topic, text, urgent);
  }

  private sendError(topic: string, error: unknown): void {
    this.send(serializeServerMessage({ type: 'error', topic, message: this.options.describeError(error) }));
  }

  private send(text: string): void {
    if (this.closed) return;
    this.socket.send(text);
    if (this.socket.bufferedAmount > this.options.maxBufferedBytes) {
      this.options.onDropped?.();
      this.close(LIVE_CLOSE.tooSlow, 'the client reads too slowly');
    }
  }

  private dispose(): void {
    this.closed = true;
    const { clock } = this.options;
    clock.clearTimeout(this.authTimer);
    if (this.expiryTimer !== undefined) clock.clearTimeout(this.expiryTimer);
    this.coalescer.dispose();
    for (const key of this.subscriptions.keys()) this.options.topics.unsubscribe(key, this);
    this.subscriptions.clear();
    this.awaitingFirst.clear();
  }
}
