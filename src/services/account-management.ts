// The admin creates and edits resellers and customers; a reseller creates and edits its own
// customers. Every change is written with its audit row in one transaction.
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/knex.ts';
import { inTransaction, type Transaction } from '../db/transaction.ts';
import type { AccountRow, AccountStatus, BillingMode } from '../db/repos/accounts.ts';
import {
  findScopedAccount,
  lockScopedAccount,
  updateAccountFields,
  type AccountChanges,
  type AccountScope,
} from '../db/repos/account-directory.ts';
import { findAccountById } from '../db/repos/accounts.ts';
import { insertAuditEntry } from '../db/repos/audit-log.ts';
import { endAccountSessions } from '../db/repos/sessions.ts';
import { toStored } from '../domain/money.ts';
import { NotFoundError, ValidationError, isUniqueViolation } from '../errors.ts';
import { createAccount, hashPassword } from './accounts.ts';
import { issuePasswordLink } from './password-links.ts';

export interface AccountSettings {
  name: string;
  email: string;
  billingMode: BillingMode;
  /** Plain decimal string; only postpaid accounts keep one, prepaid ones get 0. */
  creditLimit: string;
  maxConcurrentCalls: number;
  status: AccountStatus;
}

export interface NewAccountInput extends AccountSettings {
  role: 'reseller' | 'customer';
  /** The seller of a customer the admin creates: the admin or a reseller. Ignored otherwise. */
  parentId?: number | undefined;
  /** The password the creator typed; without one, the account gets a set-password link by mail. */
  password?: string | undefined;
}

export interface AccountUpdateInput extends AccountSettings {
  /** A new password, when the form sets one. */
  password?: string | undefined;
}

interface Actor {
  actorId: number;
  ip?: string | undefined;
  now: Date;
}

/** What the audit log keeps of an account: never its password hash. */
export function auditedFields(account: AccountRow): Record<string, unknown> {
  return {
    role: account.role,
    parent_id: account.parent_id,
    name: account.name,
    email: account.email,
    status: account.status,
    billing_mode: account.billing_mode,
    credit_limit: account.credit_limit,
    max_concurrent_calls: account.max_concurrent_calls,
    billing_day: account.billing_day,
  };
}

function creditLimitOf(settings: AccountSettings): string {
  return toStored(settings.billingMode === 'postpaid' ? settings.creditLimit : '0');
}

async function parentFor(trx: Transaction, scope: AccountScope, input: NewAccountInput): Promise<number> {
  if (scope.kind === 'reseller') return scope.resellerId;
  if (input.role === 'reseller') return scope.adminId;
  const parentId = input.parentId ?? scope.adminId;
  const parent = await findAccountById(trx, parentId);
  if (!parent || (parent.role !== 'admin' && parent.role !== 'reseller') || parent.status === 'closed') {
    throw new ValidationError('Choose who sells to this customer', { parent_id: 'Choose the admin or one of the resellers' });
  }
  return parent.id;
}

export async function createManagedAccount(
  db: Db,
  scope: AccountScope,
  input: NewAccountInput,
  actor: Actor & { bcryptCost: number; publicUrl: string },
): Promise<AccountRow> {
  const role = scope.kind === 'reseller' ? 'customer' : input.role;
  // Without a typed password the account starts with a random one nobody knows, until its holder
  // sets one through the welcome link.
  const password = input.password ?? randomBytes(24).toString('base64url');
  return inTransaction(db, async (trx) => {
    const parentId = await parentFor(trx, scope, { ...input, role });
    const account = await createAccount(
      trx,
      {
        role,
        parent_id: parentId,
        name: input.name,
        email: input.email,
        password,
        status: input.status,
        billing_mode: input.billingMode,
        credit_limit: creditLimitOf(input),
        max_concurrent_calls: input.maxConcurrentCalls,
      },
      actor.bcryptCost,
    );
    await insertAuditEntry(trx, {
      actorId: actor.actorId, action: 'account.create', entityType: 'account', entityId: account.id,
      after: auditedFields(account), ip: actor.ip ?? null, at: actor.now,
    });
    if (input.password === undefined) await issuePasswordLink(trx, account.id, 'welcome', actor.publicUrl, actor.now);
    return account;
  });
}

export async function updateManagedAccount(
  db: Db,
  scope: AccountScope,
  accountId: number,
  input: AccountUpdateInput,
  actor: Actor & { bcryptCost: number },
): Promise<AccountRow> {
  // Hashed before the transaction, so the row lock is not held for the hash's fifth of a second.
  const passwordHash = input.password ? await hashPassword(input.password, actor.bcryptCost) : undefined;
  return inTransaction(db, async (trx) => {
    const before = await lockScopedAccount(trx, scope, accountId);
    if (!before) throw new NotFoundError('No such account');
    const changes: AccountChanges = {
      name: input.name,
      email: input.email.trim(),
      status: input.status,
      billing_mode: input.billingMode,
      credit_limit: creditLimitOf(input),
      max_concurrent_calls: input.maxConcurrentCalls,
      ...(passwordHash ? { password_hash: passwordHash } : {}),
    };
    let after: AccountRow;
    try {
      after = await updateAccountFields(trx, accountId, changes, actor.now);
    } catch (error) {
      if (isUniqueViolation(error, 'accounts_email_unique')) {
        throw new ValidationError('That email is taken', { email: 'An account with this email exists already' });
      }
      throw error;
    }
    // A new password or a suspension or closure signs the account out everywhere, at once: a
    // session left alive would outlast the reason it was trusted (and return on reactivation).
    if (passwordHash || (before.status === 'active' && after.status !== 'active')) await endAccountSessions(trx, accountId);
    await insertAuditEntry(trx, {
      actorId: actor.actorId, action: 'account.update', entityType: 'account', entityId: accountId,
      before: auditedFields(before), after: { ...auditedFields(after), ...(passwordHash ? { password_changed: true } : {}) },
      ip: actor.ip ?? null, at: actor.now,
    });
    return after;
  });
}

/** An account the scope manages, or NotFoundError: the one way routes look up a managed account. */
export async function getManagedAccount(db: Db, scope: AccountScope, accountId: number) {
  const account = await findScopedAccount(db, scope, accountId);
  if (!account) throw new NotFoundError('No such account');
  return account;
}
