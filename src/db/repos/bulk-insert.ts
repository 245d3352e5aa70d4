// Many rows in one INSERT ... SELECT FROM unnest(arrays): one bound array per column instead of
// one parameter per value, which Postgres parses and plans several times faster for large batches.
import type { Db } from '../knex.ts';

export type ColumnType = 'text' | 'bigint' | 'int' | 'smallint' | 'numeric' | 'timestamptz' | 'jsonb';

/** Inserts `rows` into `table`; `suffix` is appended (ON CONFLICT ..., RETURNING ...). */
export async function insertUnnest<T extends Record<string, unknown>>(
  db: Db,
  table: string,
  columns: Record<string, ColumnType>,
  rows: T[],
  suffix = '',
): Promise<Array<Record<string, unknown>>> {
  if (rows.length === 0) return [];
  const names = Object.keys(columns);
  const arrays = names.map((name) =>
    rows.map((row) => {
      const value = row[name];
      if (value === undefined || value === null) return null;
      if (value instanceof Date) return value.toISOString();
      return columns[name] === 'jsonb' && typeof value !== 'string' ? JSON.stringify(value) : value;
    }),
  );
  const select = names.map((name) => `?::${columns[name]}[]`).join(', ');
  const result = (await db.raw(`INSERT INTO ${table} (${names.join(', ')}) SELECT * FROM unnest(${select}) ${suffix}`, arrays as never)) as {
    rows: Array<Record<string, unknown>>;
  };
  return result.rows;
}
