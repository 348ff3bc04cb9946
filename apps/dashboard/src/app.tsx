import { Center, Loader, MantineProvider, Text, Title, createTheme } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useState, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import { ApiRequestError } from './api/api-client';
import { AppServicesProvider, createAppServices, useSession, type AppServices } from './app-services';
import { RequireRole, SessionGate } from './auth/session-gate';
import { SignInPage } from './auth/sign-in.page';
import { OnAirPage } from './on-air/on-air.page';
import { AppLayout } from './shell/app-layout';
import { EnvironmentProvider } from './shell/environment';
import { rolesOf } from './shell/navigation';

// The start page comes with the first load; the other pages load when first opened.
const DjsPage = lazy(() => import('./djs/djs.page'));
const DestinationsPage = lazy(() => import('./destinations/destinations.page'));
const BrandingPage = lazy(() => import('./branding/branding.page'));
const HistoryPage = lazy(() => import('./history/history.page'));
const BroadcastHistoryPage = lazy(() => import('./history/broadcast-history.page'));
const RecordingsPage = lazy(() => import('./recordings/recordings.page'));
const UsersPage = lazy(() => import('./users/users.page'));

const theme = createTheme({ primaryColor: 'red', defaultRadius: 'md' });

function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        // A refusal will not change on its own; a network failure may.
        retry: (count, error) => !(error instanceof ApiRequestError && error.statusCode >= 400 && error.statusCode < 500) && count < 2,
      },
    },
  });
}

function Page({ path, children }: { path: string; children: ReactNode }) {
  return (
    <RequireRole roles={rolesOf(path)}>
      <Suspense
        fallback={
          <Center p="xl">
            <Loader aria-label="Loading the page" />
          </Center>
        }
      >
        {children}
      </Suspense>
    </RequireRole>
  );
}

function NotFound() {
  return (
    <>
      <Title order={2}>Not found</Title>
      <Text mt="md">There is no page at this address.</Text>
    </>
  );
}

/** Signed in, the sign-in page sends you on; a sign-out elsewhere (another tab, expiry) lands here. */
function SignInRoute() {
  return useSession() ? <Navigate to="/" replace /> : <SignInPage />;
}

export function App({ services: given }: { services?: AppServices }) {
  const [services] = useState(() => given ?? createAppServices());
  const [queryClient] = useState(createQueryClient);
  return (
    <MantineProvider theme={theme} defaultColorScheme="dark">
      <QueryClientProvider client={queryClient}>
        <AppServicesProvider services={services}>
          <EnvironmentProvider>
            <BrowserRouter>
              <Routes>
                <Route path="/sign-in" element={<SignInRoute />} />
                <Route
                  element={
                    <SessionGate>
                      <AppLayout />
                    </SessionGate>
                  }
                >
                  <Route index element={<OnAirPage />} />
                  <Route path="/djs" element={<Page path="/djs"><DjsPage /></Page>} />
                  <Route path="/destinations" element={<Page path="/destinations"><DestinationsPage /></Page>} />
                  <Route path="/branding" element={<Page path="/branding"><BrandingPage /></Page>} />
                  <Route path="/history" element={<Page path="/history"><HistoryPage /></Page>} />
                  <Route path="/history/:broadcastId" element={<Page path="/history"><BroadcastHistoryPage /></Page>} />
                  <Route path="/recordings" element={<Page path="/recordings"><RecordingsPage /></Page>} />
                  <Route path="/users" element={<Page path="/users"><UsersPage /></Page>} />
                  <Route path="*" element={<NotFound />} />
                </Route>
              </Routes>
            </BrowserRouter>
          </EnvironmentProvider>
        </AppServicesProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
