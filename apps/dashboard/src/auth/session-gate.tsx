import { Alert, Center, Loader, Title } from '@mantine/core';
import type { Role } from '@streamcaster/contracts';
import { useEffect, useState, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { useServices, useSession } from '../app-services';

/**
 * Restores the session once on load from the refresh cookie (so a reload or a bookmark keeps you
 * signed in), then shows the app, or sends a signed-out visitor to the sign-in page and back after.
 */
export function SessionGate({ children }: { children: ReactNode }) {
  const { api } = useServices();
  const session = useSession();
  const location = useLocation();
  const [restoring, setRestoring] = useState(api.session.current === null);

  useEffect(() => {
    if (api.session.current) return;
    let live = true;
    api
      .restore()
      .catch(() => null)
      .finally(() => live && setRestoring(false));
    return () => {
      live = false;
    };
  }, [api]);

  if (session) return <>{children}</>;
  if (restoring) {
    return (
      <Center mih="100vh">
        <Loader aria-label="Restoring the session" />
      </Center>
    );
  }
  const next = `${location.pathname}${location.search}`;
  return <Navigate to={next === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}`} replace />;
}

/** A page only some roles see: the others get "not allowed" at its URL (the API answers them 403 too). */
export function RequireRole({ roles, children }: { roles: readonly Role[]; children: ReactNode }) {
  const session = useSession();
  if (!session) return null;
  if (roles.includes(session.user.role)) return <>{children}</>;
  return (
    <>
      <Title order={2}>Not allowed</Title>
      <Alert color="red" role="alert" mt="md">
        You are not allowed to see this page: it needs the role {roles.join(' or ')}, and you are signed in as {session.user.role}.
      </Alert>
    </>
  );
}
