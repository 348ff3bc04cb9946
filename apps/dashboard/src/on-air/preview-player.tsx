import { Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useServices } from '../app-services';

/** How long to wait before asking again for a playlist that is not there yet (the program just started). */
const RETRY_MS = 2_000;

/**
 * The program's preview: HLS from the gateway, played by hls.js (loaded only when a broadcast is on
 * air), every request with the Bearer token of the moment. Muted so that the browser lets it start.
 */
export function PreviewPlayer({ broadcastId }: { broadcastId: string }) {
  const { api } = useServices();
  const video = useRef<HTMLVideoElement>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const element = video.current;
    if (!element) return undefined;
    const source = `/api/broadcasts/${encodeURIComponent(broadcastId)}/preview/index.m3u8`;
    let disposed = false;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let destroy: (() => void) | null = null;

    void import('hls.js/light').then(({ default: Hls }) => {
      if (disposed) return;
      if (!Hls.isSupported()) {
        setProblem('This browser cannot play the preview (no Media Source Extensions).');
        return;
      }
      const start = () => {
        const hls = new Hls({
          liveSyncDurationCount: 2,
          manifestLoadingMaxRetry: 2,
          xhrSetup: (xhr) => {
            const token = api.currentToken();
            if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
          },
        });
        destroy = () => hls.destroy();
        hls.on(Hls.Events.MANIFEST_PARSED, () => {
          setProblem(null);
          element.play().catch(() => undefined);
        });
        hls.on(Hls.Events.ERROR, (_event, data) => {
          if (!data.fatal) return;
          // The playlist appears a moment after the program starts, and comes back after a drop.
          hls.destroy();
          destroy = null;
          setProblem(data.type === Hls.ErrorTypes.NETWORK_ERROR ? 'Waiting for the program…' : `Preview stopped: ${data.details}`);
          if (!disposed) retry = setTimeout(start, RETRY_MS);
        });
        hls.loadSource(source);
        hls.attachMedia(element);
      };
      start();
    });

    return () => {
      disposed = true;
      if (retry) clearTimeout(retry);
      destroy?.();
    };
  }, [api, broadcastId]);

  return (
    <div>
      <video
        ref={video}
        aria-label="Program preview"
        muted
        autoPlay
        playsInline
        controls
        style={{ width: '100%', aspectRatio: '16 / 9', background: 'black', borderRadius: 'var(--mantine-radius-md)', display: 'block' }}
      />
      {problem && (
        <Text size="xs" c="dimmed" mt={4} role="status">
          {problem}
        </Text>
      )}
    </div>
  );
}
