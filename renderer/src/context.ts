import { createContext, useContext } from 'react';
import type { TillApi } from '../../shared/contract/index.js';
import type { TillStatus } from '../../shared/domain/index.js';

export interface Toast {
  id: number;
  tone: 'good' | 'bad' | 'info';
  text: string;
}

export interface Shell {
  till: TillApi;
  status: TillStatus | null;
  toast: (tone: Toast['tone'], text: string) => void;
  /** Runs a command, showing its error (never a stack trace) as a toast. */
  run: <T>(fn: () => Promise<T>) => Promise<T | undefined>;
}

export const ShellContext = createContext<Shell | null>(null);

export function useShell(): Shell {
  const shell = useContext(ShellContext);
  if (!shell) throw new Error('useShell outside ShellContext');
  return shell;
}
