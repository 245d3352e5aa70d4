// Logins, passwords and account creation.
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { Db } from '../db/knex.ts';
import { inTransaction } from '../db/transaction.ts';
import {
  findAccountByEmail,
  findAccountById,
  insertAccount,
  recordLogin,
  updateAccountPassword,
  type AccountRow,
  type NewAccount,
} from '../db/repos/accounts.ts';
import { endAccountSessions } from '../db/repos/sessions.ts';
import { ConflictError, UnauthorizedError, ValidationError, isUniqueViolation } from '../errors.ts';

// Compared against when the email is unknown, so a wrong email takes as long as a wrong password:
// of the configured cost, as real accounts' hashes are (a cheaper one told which emails exist by
// the time a refusal took). Made once per cost, when first asked for; its password is random.
const unknownAccountHashes = new Map<number, Promise<string>>();

export function unknownAccountHash(cost: number): Promise<string> {
  let hash = unknownAccountHashes.get(cost);
  if (!hash) {
    hash = bcrypt.hash(randomBytes(24).toString('base64url'), cost);
    unknownAccountHashes.set(cost, hash);
  }
  return hash;
}

/** The hash a login attempt is checked against: the account's, or the dummy of the same cost. */
export async function hashToCompare(account: AccountRow | undefined, cost: number): Promise<string> {
  return account?.password_hash ?? unknownAccountHash(cost);
}

export const WRONG_CREDENTIALS = 'Wrong email or password.';
export const ACCOUNT_INACTIVE = 'This account is suspended or closed. Contact your provider to reopen it.';

/** The account these credentials open; an UnauthorizedError (401) for a refusal. */
export async function authenticate(db: Db, email: string, password: string, bcryptCost: number, now: Date): Promise<AccountRow> {
  const account = await findAccountByEmail(db, email);
  const matches = await bcrypt.compare(password, await hashToCompare(account, bcryptCost));
  if (!account || !matches) throw new UnauthorizedError(WRONG_CREDENTIALS);
  // Only after the password is right, so the message cannot be used to probe emails.
  if (account.status !== 'active') throw new UnauthorizedError(ACCOUNT_INACTIVE);
  await recordLogin(db, account.id, now);
  return account;
}

export async function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(password, cost);
}

export interface CreateAccountInput extends Omit<NewAccount, 'password_hash'> {
  password: string;
}

export async function createAccount(db: Db, input: CreateAccountInput, bcryptCost: number): Promise<AccountRow> {
  const { password, ...account } = input;
  try {
    return await insertAccount(db, { ...account, password_hash: await hashPassword(password, bcryptCost) });
  } catch (error) {
    if (isUniqueViolation(error, 'accounts_email_unique')) {
      throw new ValidationError('That email is taken', { email: 'An account with this email exists already' });
    }
    throw error;
  }
}

/**
 * Changes the account's own password and ends all its sessions; returns the session version the
 * caller's new session carries, so the one who changed it stays signed in.
 */
export async function changePassword(
  db: Db,
  accountId: number,
  input: { current: string; next: string },
  bcryptCost: number,
  now: Date,
): Promise<number> {
  const account = await findAccountById(db, accountId);
  if (!account) throw new ConflictError('Account not found');
  if (!(await bcrypt.compare(input.current, account.password_hash))) {
    throw new ValidationError('Password not changed', { current: 'This is not your current password' });
  }
  const passwordHash = await hashPassword(input.next, bcryptCost);
  return inTransaction(db, async (trx) => {
    await updateAccountPassword(trx, accountId, passwordHash, now);
    return endAccountSessions(trx, accountId);
  });
}
