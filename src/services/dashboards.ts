// The figures each role's dashboard shows, read from the database as they are now.
import type { Db } from '../db/knex.ts';
import { countAccountsByRole, findAccountById, type AccountRow } from '../db/repos/accounts.ts';
import { sumCharges } from '../db/repos/ledger.ts';
import { countHeldNumbers } from '../db/queries/dashboards.ts';
import { countDidsByHolder, type HolderCounts } from '../db/repos/products.ts';
import { listUpcomingRenewals, type UpcomingRenewal } from '../db/repos/subscriptions.ts';
import { NotFoundError } from '../errors.ts';
import { countExpiredReservations } from '../db/repos/call-slots.ts';
import { listFailedEndpoints } from '../db/repos/webhook-endpoints.ts';
import { availableFunds, reservedForCalls } from './ledger.ts';
import { loadBillingNotices, type BillingNoticeSettings, type BillingNotices } from './billing-notices.ts';

export interface AdminDashboard {
  dids: HolderCounts;
  resellers: number;
  customers: number;
  chargesThisMonth: string;
  monthStart: Date;
  /** Reservations released in the last 24 hours because their CDR never came. */
  expiredReservations: number;
}

export interface AccountDashboard {
  account: AccountRow;
  availableFunds: string;
  reservedForCalls: string;
  numbersHeld: number;
  numbersAssigned: number;
  customers: number;
  renewals: UpcomingRenewal[];
  /** Suspended numbers and renewals the funds will not cover; given when the billing settings are. */
  notices?: BillingNotices;
  /** Webhook endpoints disabled because their deliveries kept failing. */
  failedWebhooks: Array<{ id: number; url: string; disabled_reason: string | null; disabled_at: Date | null }>;
}

export function startOfMonth(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

export async function loadAdminDashboard(db: Db, now: Date): Promise<AdminDashboard> {
  const monthStart = startOfMonth(now);
  const [dids, accounts, chargesThisMonth, expiredReservations] = await Promise.all([
    countDidsByHolder(db),
    countAccountsByRole(db),
    sumCharges(db, monthStart, new Date(now.getTime() + 1)),
    countExpiredReservations(db, new Date(now.getTime() - 86_400_000)),
  ]);
  return { dids, resellers: accounts.reseller, customers: accounts.customer, chargesThisMonth, monthStart, expiredReservations };
}

export async function loadAccountDashboard(db: Db, accountId: number, billing?: BillingNoticeSettings): Promise<AccountDashboard> {
  const account = await findAccountById(db, accountId);
  if (!account) throw new NotFoundError();
  const [numbers, accounts, renewals, reserved, failedWebhooks] = await Promise.all([
    countHeldNumbers(db, account),
    countAccountsByRole(db, accountId),
    listUpcomingRenewals(db, accountId, 5),
    reservedForCalls(db, accountId, billing?.now ?? new Date()),
    listFailedEndpoints(db, accountId),
  ]);
  return {
    account,
    availableFunds: availableFunds(account, reserved),
    reservedForCalls: reserved,
    numbersHeld: numbers.held,
    numbersAssigned: account.role === 'reseller' ? numbers.assigned : 0,
    customers: accounts.customer,
    renewals,
    failedWebhooks,
    ...(billing ? { notices: await loadBillingNotices(db, accountId, billing) } : {}),
  };
}
