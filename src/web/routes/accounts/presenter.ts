// Managed accounts as their pages show them, for the admin ("Accounts") or a reseller ("Customers").
import type { Response } from 'express';
import type { Role } from '../../../db/repos/accounts.ts';
import type { AccountListRow, AccountScope } from '../../../db/repos/account-directory.ts';
import { Money } from '../../../domain/money.ts';
import { availableFunds } from '../../../services/ledger.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { areaRole } from '../../middleware/role-area.ts';

/** Whose accounts these are: every query carries the scope, so another tenant's id is a 404. */
export function accountScope(res: Response): AccountScope {
  const me = currentAccount(res).id;
  return areaRole(res) === 'admin' ? { kind: 'admin', adminId: me } : { kind: 'reseller', resellerId: me };
}

/** The words and links of the pages, by the area they are shown in. */
export function audienceOf(role: Role) {
  const isAdmin = role === 'admin';
  return {
    base: isAdmin ? '/admin/accounts' : '/reseller/customers',
    plural: isAdmin ? 'Accounts' : 'Customers',
    singular: isAdmin ? 'account' : 'customer',
    isAdmin,
  };
}

export type Audience = ReturnType<typeof audienceOf>;

/**
 * The admin's rows of a purchase link to the subscription's page; a reseller sees its customer's
 * purchases without a link (a receipt belongs to the buyer's own pages).
 */
export function subscriptionLinks(audience: Audience) {
  return audience.isAdmin ? { receiptBase: '/admin/subscriptions', receiptLabel: 'Subscription' } : {};
}

export function presentAccount(row: AccountListRow) {
  return { ...row, available_funds: availableFunds(row) };
}

/** An account's settings as the edit form's values. */
export function settingsValues(account: AccountListRow): Record<string, string> {
  return {
    name: account.name,
    email: account.email,
    billing_mode: account.billing_mode,
    credit_limit: new Money(account.credit_limit).toString(),
    max_concurrent_calls: String(account.max_concurrent_calls),
    status: account.status,
  };
}
