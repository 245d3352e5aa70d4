// The admin's "Accounts": every reseller and customer.
import type { Router } from 'express';
import { currentAccount } from '../../middleware/auth.ts';
import type { AppContext } from '../../context.ts';
import { managedAccountsRouter } from '../managed-accounts.ts';

export function accountsRouter(context: AppContext): Router {
  return managedAccountsRouter(context, {
    basePath: '/admin/accounts',
    scopeOf: (res) => ({ kind: 'admin', adminId: currentAccount(res).id }),
    plural: 'Accounts',
    singular: 'account',
  });
}
