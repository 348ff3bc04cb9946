import type { Environment } from '@streamcaster/contracts';
import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';

const STORAGE_KEY = 'streamcaster.environment';

/** The Live/Test choice, kept in this browser (not in the URL), so every page and a reload keep it. */
export function readStoredEnvironment(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): Environment {
  try {
    return storage?.getItem(STORAGE_KEY) === 'test' ? 'test' : 'live';
  } catch {
    return 'live';
  }
}

const EnvironmentContext = createContext<{ environment: Environment; setEnvironment(environment: Environment): void } | null>(null);

export function EnvironmentProvider({ children }: { children: ReactNode }) {
  const [environment, setState] = useState<Environment>(() => readStoredEnvironment());
  const setEnvironment = useCallback((next: Environment) => {
    setState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // private mode: the choice lasts until reload
    }
  }, []);
  return <EnvironmentContext.Provider value={{ environment, setEnvironment }}>{children}</EnvironmentContext.Provider>;
}

export function useEnvironment() {
  const context = useContext(EnvironmentContext);
  if (!context) throw new Error('useEnvironment outside EnvironmentProvider');
  return context;
}
