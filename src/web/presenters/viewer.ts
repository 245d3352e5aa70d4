// The logged-in account as every template sees it: who it is, never its password hash or balance.
import type { AccountRow } from '../../db/repos/accounts.ts';

export function presentViewer(account: AccountRow) {
  return { id: account.id, name: account.name, email: account.email, role: account.role };
}

export type Viewer = ReturnType<typeof presentViewer>;

/** The locals a page renders with: the route's data over the request's, the account presented. */
export function pageLocals(locals: Record<string, unknown>, data: object): Record<string, unknown> {
  const account = locals.currentAccount as AccountRow | undefined;
  return { ...locals, currentAccount: account ? presentViewer(account) : undefined, ...data };
}
