import { describeIssue } from '@streamcaster/service-kit';
import { liveClientMessageSchema, type LiveClientMessage, type LiveServerMessage } from '@streamcaster/contracts';

export type ParsedClientMessage = { ok: true; message: LiveClientMessage } | { ok: false; reason: string };

/**
 * A client's frame as the protocol's message, or why not (the socket is then closed with 4400). The
 * size is not checked here: the WebSocket server refuses a larger frame before it is read (1009).
 */
export function parseClientMessage(frame: Buffer | ArrayBuffer | Buffer[] | string, isBinary: boolean): ParsedClientMessage {
  if (isBinary) return { ok: false, reason: 'messages are JSON text frames' };
  const text = typeof frame === 'string' ? frame : Array.isArray(frame) ? Buffer.concat(frame).toString('utf8') : Buffer.from(frame as ArrayBuffer).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'a message that is not JSON' };
  }
  const parsed = liveClientMessageSchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: parsed.error.issues.map(describeIssue).join('; ') };
  return { ok: true, message: parsed.data };
}

/** Server messages as text; the same state going to many clients is serialized once. */
const serialized = new WeakMap<object, string>();

export function serializeServerMessage(message: LiveServerMessage): string {
  return JSON.stringify(message);
}

/** `data` of a topic's state that every subscriber gets alike: serialized once for all of them. */
export function serializeShared(key: object, message: () => LiveServerMessage): string {
  let text = serialized.get(key);
  if (text === undefined) {
    text = serializeServerMessage(message());
    serialized.set(key, text);
  }
  return text;
}

/**
 * A WebSocket close reason is at most 123 bytes (RFC 6455, 5.5: a control frame carries 125, two of
 * them the code); a longer one makes `ws` throw. Cut on a character boundary.
 */
export function closeReason(reason: string): string {
  let text = reason;
  while (Buffer.byteLength(text) > 123) text = text.slice(0, -1);
  return text;
}
