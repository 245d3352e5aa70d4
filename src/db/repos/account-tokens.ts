// Single-use password links (reset, welcome), kept as the SHA-256 of the token only.
import type { Db } from '../knex.ts';

export type TokenPurpose = 'reset' | 'welcome';

export interface AccountTokenRow {
  id: number;
  account_id: number;
  purpose: TokenPurpose;
  token_hash: string;
  expires_at: Date;
  used_at: Date | null;
  created_at: Date;
}

export async function insertAccountToken(
  db: Db,
  token: { accountId: number; purpose: TokenPurpose; tokenHash: string; expiresAt: Date },
  now: Date,
): Promise<void> {
  await db('account_tokens').insert({
    account_id: token.accountId, purpose: token.purpose, token_hash: token.tokenHash, expires_at: token.expiresAt, created_at: now,
  });
}

/** The token still usable at `now` (unused, not expired), without using it: what the form page shows. */
export async function findUsableToken(db: Db, tokenHash: string, now: Date): Promise<AccountTokenRow | undefined> {
  return db<AccountTokenRow>('account_tokens').where({ token_hash: tokenHash }).whereNull('used_at').where('expires_at', '>', now).first();
}

/**
 * Uses the token: marks it used if it is usable at `now`, in the one statement that checks it, so
 * of two requests at once only one gets the row back.
 */
export async function useToken(db: Db, tokenHash: string, now: Date): Promise<AccountTokenRow | undefined> {
  const [row] = (await db('account_tokens')
    .where({ token_hash: tokenHash })
    .whereNull('used_at')
    .where('expires_at', '>', now)
    .update({ used_at: now })
    .returning('*')) as AccountTokenRow[];
  return row;
}

/** Voids the account's other open links: after a password is set, an older link must not set it again. */
export async function voidAccountTokens(db: Db, accountId: number, now: Date): Promise<void> {
  await db('account_tokens').where({ account_id: accountId }).whereNull('used_at').update({ used_at: now });
}
