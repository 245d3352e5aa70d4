// Setting a password through a link sent by mail: "Forgot password?" (a reset link, 30 minutes) and
// the welcome of an account created for someone (a set-password link, 7 days). The token is 32
// random bytes shown once, in the mail; the database keeps its SHA-256. The mail is an outbox row
// written in the transaction that stores the token (through the recorded event), so there is
// never a token without its mail nor a mail without its token.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/knex.ts';
import { inTransaction, type Transaction } from '../db/transaction.ts';
import { findAccountByEmail, findAccountById, updateAccountPassword } from '../db/repos/accounts.ts';
import { findUsableToken, insertAccountToken, useToken, voidAccountTokens, type TokenPurpose } from '../db/repos/account-tokens.ts';
import { endAccountSessions } from '../db/repos/sessions.ts';
import { recordEvent } from './events.ts';
import { hashPassword } from './accounts.ts';

const MINUTE_MS = 60_000;
/** How long each kind of link works. */
export const LINK_LIFETIME_MS: Record<TokenPurpose, number> = {
  reset: 30 * MINUTE_MS,
  welcome: 7 * 24 * 60 * MINUTE_MS,
};

/** What a link token looks like: 32 bytes in base64url. Anything else is not worth a query. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function passwordLinkPath(token: string): string {
  return `/password/reset/${token}`;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Makes a link for the account and records the event whose mail carries it, in `trx`: a
 * `password.reset` {reset_url, expires_at} or an `account.welcome` {set_password_url, expires_at}.
 */
export async function issuePasswordLink(
  trx: Transaction,
  accountId: number,
  purpose: TokenPurpose,
  publicUrl: string,
  now: Date,
): Promise<{ url: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + LINK_LIFETIME_MS[purpose]);
  await insertAccountToken(trx, { accountId, purpose, tokenHash: hashToken(token), expiresAt }, now);
  const url = `${publicUrl}${passwordLinkPath(token)}`;
  const data = purpose === 'reset'
    ? { reset_url: url, expires_at: expiresAt.toISOString() }
    : { set_password_url: url, expires_at: expiresAt.toISOString() };
  await recordEvent(trx, { type: purpose === 'reset' ? 'password.reset' : 'account.welcome', accountId, occurredAt: now, data });
  return { url, expiresAt };
}

/**
 * "Forgot password?": mails a reset link when the email belongs to an active account, and does
 * nothing otherwise. The caller answers the same in both cases, so the form tells nobody which
 * emails have accounts.
 */
export async function requestPasswordReset(db: Db, email: string, publicUrl: string, now: Date): Promise<void> {
  const account = await findAccountByEmail(db, email);
  if (!account || account.status !== 'active') return;
  await inTransaction(db, async (trx) => {
    await issuePasswordLink(trx, account.id, 'reset', publicUrl, now);
  });
}

/** What the link's page needs to know: the link is usable, and what it is for. */
export async function checkPasswordLink(db: Db, token: string, now: Date): Promise<{ purpose: TokenPurpose; email: string } | undefined> {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  const row = await findUsableToken(db, hashToken(token), now);
  if (!row) return undefined;
  const account = await findAccountById(db, row.account_id);
  return account ? { purpose: row.purpose, email: account.email } : undefined;
}

/**
 * Sets the password through the link, once: uses the token, voids the account's other open links
 * and ends every session of the account. Undefined when the link is unknown, used or expired.
 */
export async function setPasswordWithLink(
  db: Db,
  token: string,
  password: string,
  bcryptCost: number,
  now: Date,
): Promise<{ accountId: number; purpose: TokenPurpose } | undefined> {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  // Hashed before the transaction: the token's row is not held for the hash's fifth of a second.
  const passwordHash = await hashPassword(password, bcryptCost);
  return inTransaction(db, async (trx) => {
    const used = await useToken(trx, hashToken(token), now);
    if (!used) return undefined;
    await updateAccountPassword(trx, used.account_id, passwordHash, now);
    await voidAccountTokens(trx, used.account_id, now);
    await endAccountSessions(trx, used.account_id);
    return { accountId: used.account_id, purpose: used.purpose };
  });
}
