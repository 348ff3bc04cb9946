import { useEffect, useState } from 'react';
import type { z } from 'zod';
import { useServices } from '../app-services';

export interface LiveTopicState<T> {
  data: T | null;
  at: string | null;
  /** The role may not see this topic. */
  forbidden: boolean;
  /** The gateway's error for the topic, or a message that broke the topic's contract. */
  error: string | null;
}

const EMPTY = { data: null, at: null, forbidden: false, error: null };

/**
 * One topic of the live channel, each message checked with the topic's schema. `topic` null: none.
 * `onData` sees every message (for series that keep history), the state only the latest.
 */
export function useLiveTopic<S extends z.ZodType>(
  topic: string | null,
  schema: S,
  onData?: (data: z.output<S>, at: string) => void,
): LiveTopicState<z.output<S>> {
  const { live } = useServices();
  const [state, setState] = useState<LiveTopicState<z.output<S>> & { topic: string | null }>({ ...EMPTY, topic });
  const current = state.topic === topic ? state : { ...EMPTY, topic };

  useEffect(() => {
    if (!topic) return undefined;
    return live.subscribe(topic, {
      data: (raw, at) => {
        const parsed = schema.safeParse(raw);
        if (!parsed.success) {
          setState((previous) => ({ ...previous, topic, error: `the live channel sent ${topic} in an unexpected shape` }));
          return;
        }
        onData?.(parsed.data, at);
        setState({ topic, data: parsed.data, at, forbidden: false, error: null });
      },
      error: (message) => setState((previous) => ({ ...previous, topic, error: message })),
      forbidden: () => setState({ ...EMPTY, topic, forbidden: true }),
    });
    // onData is read at call time; a new closure each render must not resubscribe.
  }, [live, topic, schema]);

  return current;
}
