// Named prepared statements for the switch's hot path. Postgres plans a statement of several joins
// in about as much time as it runs it; a named statement is planned once per connection, which
// cut the number lookup from 0.8-1.0 ms to 0.27 ms of database time (measured with pg on this
// machine's Postgres, 2,000 lookups on one connection). knex has no named statements, so on real
// Postgres this borrows a connection from knex's pool and asks pg directly. The embedded database
// has no such statements to gain from: there the same text runs through knex.
import type { Knex } from 'knex';
import { isEmbedded, type Db } from './knex.ts';

export interface PreparedStatement {
  /** Unique per statement text: a connection keeps each name for its lifetime. */
  readonly name: string;
  /** SQL with pg's $1..$n placeholders. */
  readonly text: string;
}

interface PgConnection {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

interface PoolClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
}

/** Rewrites $1..$n into knex's `?`, repeating a value wherever its placeholder repeats. */
export function numberedToKnex(text: string, params: readonly unknown[]): { sql: string; bindings: Knex.RawBinding[] } {
  const bindings: unknown[] = [];
  const sql = text.replace(/\$(\d+)/g, (_match, index: string) => {
    bindings.push(params[Number(index) - 1]);
    return '?';
  });
  return { sql, bindings: bindings as Knex.RawBinding[] };
}

export async function queryPrepared<Row>(db: Db, statement: PreparedStatement, values: readonly unknown[]): Promise<Row[]> {
  // Inside a transaction the statement must run on the transaction's own connection.
  if ((db as Knex.Transaction).isTransaction || isEmbedded(db as Knex)) {
    const { sql, bindings } = numberedToKnex(statement.text, values);
    return ((await db.raw(sql, bindings)) as { rows: Row[] }).rows;
  }
  const client = db.client as unknown as PoolClient;
  const connection = await client.acquireConnection();
  try {
    return (await connection.query({ name: statement.name, text: statement.text, values: [...values] })).rows as Row[];
  } finally {
    await client.releaseConnection(connection);
  }
}
