import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter, useLocation } from 'react-router-dom';
import { ApiClient } from './api/api-client';
import { createResources } from './api/resources';
import { AppServicesProvider, type AppServices } from './app-services';
import { LiveClient, type LiveSocket } from './live/live-client';
import { EnvironmentProvider } from './shell/environment';

export type Route = (method: string, path: string, body: unknown) => { status: number; json?: unknown } | undefined;

/**
 * The app's providers around `ui`, with the gateway answered by `route` (unanswered: 404) and a live
 * channel that never connects (its sockets stay closed). `path`: the address the router starts at.
 */
export function renderWithApp(ui: ReactNode, route: Route = () => undefined, { path = '/' }: { path?: string } = {}) {
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://localhost');
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    const answer = route(init?.method ?? 'GET', `${url.pathname}${url.search}`, body) ?? { status: 404, json: { statusCode: 404, message: 'not found' } };
    return new Response(answer.json === undefined ? null : JSON.stringify(answer.json), { status: answer.status, headers: { 'content-type': 'application/json' } });
  };
  const api = new ApiClient(fetchImpl);
  const closedSocket = (): LiveSocket => ({ readyState: 3, send: () => undefined, close: () => undefined, onopen: null, onmessage: null, onclose: null, onerror: null });
  const live = new LiveClient({ url: 'ws://localhost/api/live', createSocket: closedSocket, tokens: { current: async () => null, renew: async () => null } });
  const services: AppServices = { api, resources: createResources(api), live, liveStatus: { get: () => live.status, subscribe: () => () => undefined } };
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const result = render(
    <MantineProvider>
      <QueryClientProvider client={queryClient}>
        <AppServicesProvider services={services}>
          <EnvironmentProvider>
            <MemoryRouter initialEntries={[path]}>
              {ui}
              <CurrentAddress />
            </MemoryRouter>
          </EnvironmentProvider>
        </AppServicesProvider>
      </QueryClientProvider>
    </MantineProvider>,
  );
  return { ...result, api };
}

/** The router's address as text, for tests that check where a page leaves it. */
function CurrentAddress() {
  const location = useLocation();
  return <output data-testid="current-address" hidden>{`${location.pathname}${location.search}`}</output>;
}

export const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
