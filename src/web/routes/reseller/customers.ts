// A reseller's "Customers": its own customers only; the scope carries its id in every query.
import type { Router } from 'express';
import { currentAccount } from '../../middleware/auth.ts';
import type { AppContext } from '../../context.ts';
import { managedAccountsRouter } from '../managed-accounts.ts';

export function customersRouter(context: AppContext): Router {
  return managedAccountsRouter(context, {
    basePath: '/reseller/customers',
    scopeOf: (res) => ({ kind: 'reseller', resellerId: currentAccount(res).id }),
    plural: 'Customers',
    singular: 'customer',
  });
}
