// What our middleware adds to Express' request, response and session.
import type { AccountRow } from '../db/repos/accounts.ts';

export interface Flash {
  kind: 'success' | 'error' | 'info';
  text: string;
}

declare module 'express-session' {
  interface SessionData {
    accountId: number;
    /** The account's session_version at login: a session of an older one is refused. */
    sessionVersion: number;
    csrfToken: string;
    flash: Flash[];
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express declares its Locals in this global namespace
  namespace Express {
    interface Locals {
      currentAccount?: AccountRow;
      csrfToken?: string;
      requestId: string;
    }
  }
}

export {};
