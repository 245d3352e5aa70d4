// A reseller gives one of its numbers to one of its customers, or takes it back: the same steps
// as the portal's (the admin's assign: taken off the reseller's shelf by a conditional update,
// charged at the reseller's sell terms unless given free; the customer's release: back to the
// reseller's unassigned numbers, unused days credited as the setting says). Another reseller's
// customer, or an admin's, is refused as if it did not exist.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/knex.ts';
import { inTransaction } from '../db/transaction.ts';
import { findAccountById } from '../db/repos/accounts.ts';
import { findDid } from '../db/repos/did-holdings.ts';
import { findResellerPrice } from '../db/repos/reseller-prices.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../errors.ts';
import type { PriceTerms } from '../domain/sell-terms.ts';
import type { PricingSettings } from './acquisition.ts';
import { setSellTerms } from './did-holdings.ts';
import { assignDid } from './purchases.ts';
import { releaseDid } from './releases.ts';
import type { ReleaseCreditSettings } from './release-credits.ts';

export interface AssignmentInput {
  resellerId: number;
  productId: number;
  /** The customer to give the number to; null takes it back from the customer who owns it. */
  customerId: number | null;
  /** Charge the customer the setup fee and first period at the sell terms (else given free; renewals still charge). */
  charge: boolean;
  now: Date;
  actorId: number;
  pricing: PricingSettings;
  credit?: ReleaseCreditSettings | undefined;
}

export type AssignmentChange = 'assigned' | 'unassigned' | 'unchanged';

/** Sets who of the reseller's customers owns the number; assigning it to its owner again changes nothing (a retry is safe). */
export async function setCustomerAssignment(db: Db, input: AssignmentInput): Promise<AssignmentChange> {
  const product = await findDid(db, input.productId);
  if (!product || product.reseller_id !== input.resellerId) throw new NotFoundError('Number not found');
  if (input.customerId === null) {
    if (product.customer_id === null) return 'unchanged';
    await releaseDid(db, {
      accountId: product.customer_id, productId: product.id, now: input.now, actorId: input.actorId, credit: input.credit, reason: 'reclaimed_by_reseller',
    });
    return 'unassigned';
  }
  const customer = await findAccountById(db, input.customerId);
  if (!customer || customer.role !== 'customer' || customer.parent_id !== input.resellerId) {
    throw new UnprocessableError(`You have no customer ${input.customerId}`, { customer_id: 'Not one of your customers' });
  }
  if (product.customer_id === customer.id) return 'unchanged';
  if (product.customer_id !== null) {
    throw new ConflictError(`Another customer owns ${product.number}: unassign it (customer_id null) before giving it to ${customer.name}.`);
  }
  if (product.held_until && product.held_until.getTime() > input.now.getTime() && Number(product.hold_account_id) !== customer.id) {
    throw new ConflictError(`${product.number} is on hold for another account until ${product.held_until.toISOString()}.`);
  }
  if (!(await findResellerPrice(db, input.resellerId, product.id))) {
    throw new UnprocessableError(`Set the sell terms of ${product.number} before giving it to a customer`, { sell_terms: 'Set sell terms first' });
  }
  await assignDid(db, {
    accountId: customer.id, productId: product.id, idempotencyKey: randomUUID(), charge: input.charge, now: input.now, actorId: input.actorId, pricing: input.pricing,
  });
  return 'assigned';
}

/** A reseller's change of one number: its sell terms, then its customer, all or nothing (the new terms are the ones the customer is charged). */
export async function updateHeldNumber(
  db: Db,
  input: Omit<AssignmentInput, 'customerId'> & { customerId?: number | null | undefined; sellTerms?: PriceTerms | undefined },
): Promise<void> {
  const { customerId, sellTerms, ...rest } = input;
  await inTransaction(db, async (trx) => {
    if (sellTerms) await setSellTerms(trx, { resellerId: rest.resellerId, productId: rest.productId, terms: sellTerms, now: rest.now, actorId: rest.actorId });
    if (customerId !== undefined) await setCustomerAssignment(trx, { ...rest, customerId });
  });
}
