// Orders of numbers through the API: one row per order, one per number bought with it.
import type { Db } from '../knex.ts';

export interface OrderRow {
  id: number;
  account_id: number;
  hold_id: number | null;
  total: string;
  created_at: Date;
}

export interface OrderItemRow {
  order_id: number;
  product_id: number;
  subscription_id: number;
  number: string;
  setup_fee: string;
  first_period: string;
}

export async function insertOrder(db: Db, order: Omit<OrderRow, 'id'>): Promise<OrderRow> {
  const [row] = (await db('number_orders').insert(order).returning('*')) as OrderRow[];
  return row!;
}

export async function setOrderTotal(db: Db, id: number, total: string): Promise<OrderRow> {
  const [row] = (await db('number_orders').where({ id }).update({ total }).returning('*')) as OrderRow[];
  return row!;
}

export async function insertOrderItems(db: Db, items: OrderItemRow[]): Promise<void> {
  if (items.length > 0) await db('number_order_items').insert(items);
}

export async function findOrder(db: Db, accountId: number, id: number): Promise<OrderRow | undefined> {
  return db('number_orders').where({ id, account_id: accountId }).first();
}

export async function listOrderItems(db: Db, orderId: number): Promise<OrderItemRow[]> {
  return db('number_order_items').where({ order_id: orderId }).orderBy('number').select('*');
}
