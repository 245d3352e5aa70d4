// One way to run a use case in a transaction. A service takes `db` (the root handle or an open
// transaction) and wraps its work in inTransaction: called on its own it opens a transaction, called
// from another use case it joins the caller's, so use cases compose into one commit.
import type { Knex } from 'knex';
import type { Db } from './knex.ts';

export type Transaction = Knex.Transaction;

export function isTransaction(db: Db): db is Knex.Transaction {
  return (db as Knex.Transaction).isTransaction === true;
}

/** Runs `fn` in `db` when it is a transaction already, else in a new transaction that commits when `fn` resolves. */
export async function inTransaction<T>(db: Db, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  if (isTransaction(db)) return fn(db);
  return db.transaction(fn);
}

/**
 * Runs `fn` in a savepoint of `trx`: when it fails (a unique violation the caller turns into a form
 * error), only its own writes are undone and the transaction goes on.
 */
export async function inSavepoint<T>(trx: Knex.Transaction, fn: (inner: Knex.Transaction) => Promise<T>): Promise<T> {
  return trx.transaction(fn);
}
