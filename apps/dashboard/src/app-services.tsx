import { LIVE_CHANNEL_PATH, type Session } from '@streamcaster/contracts';
import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import { ApiClient } from './api/api-client';
import { createResources, type Resources } from './api/resources';
import { LiveClient, type LiveSocket, type LiveStatus } from './live/live-client';

/** The app's long-lived services: one API client (and session), one live channel. */
export interface AppServices {
  api: ApiClient;
  resources: Resources;
  live: LiveClient;
  liveStatus: { get(): LiveStatus; subscribe(listener: () => void): () => void };
}

export function createAppServices(): AppServices {
  const api = new ApiClient();
  const statusListeners = new Set<() => void>();
  const live = new LiveClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${LIVE_CHANNEL_PATH}`,
    createSocket: (url) => new WebSocket(url) as unknown as LiveSocket,
    tokens: {
      current: () => api.session.token(),
      renew: async () => (await api.session.refresh())?.accessToken ?? null,
    },
    onStatus: () => statusListeners.forEach((listener) => listener()),
  });
  // The channel lives as long as the session; every renewed token signs it in again before expiry.
  api.session.subscribe((session) => {
    if (session) {
      live.authenticate(session.accessToken);
      live.start();
    } else {
      live.stop();
    }
  });
  return {
    api,
    resources: createResources(api),
    live,
    liveStatus: {
      get: () => live.status,
      subscribe: (listener) => {
        statusListeners.add(listener);
        return () => statusListeners.delete(listener);
      },
    },
  };
}

const ServicesContext = createContext<AppServices | null>(null);

export function AppServicesProvider({ services, children }: { services: AppServices; children: ReactNode }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

export function useServices(): AppServices {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside AppServicesProvider');
  return services;
}

export function useResources(): Resources {
  return useServices().resources;
}

/** The signed-in session (null when signed out); re-renders on sign-in, renewal and sign-out. */
export function useSession(): Session | null {
  const { api } = useServices();
  return useSyncExternalStore(
    (listener) => api.session.subscribe(listener),
    () => api.session.current,
  );
}

export function useLiveStatus(): LiveStatus {
  const { liveStatus } = useServices();
  return useSyncExternalStore(liveStatus.subscribe, liveStatus.get);
}
