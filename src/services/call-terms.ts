// Which terms apply to a call, for each account that pays for it: the one place that decides it
// (BILLING.md "Who pays for a DID"). The owner pays its seller's terms: a customer of a reseller
// the reseller's sell terms, a direct customer or a reseller the product's own; the reseller above
// a customer pays the product's terms for the same call. A number on a rate plan (the admin's, or
// the reseller's resale plan) is rated at the plan version in force when the call was answered.
import type { CallHoldingRow } from '../db/repos/call-holdings.ts';
import { versionInForce, type PlanTerms } from '../domain/rate-plans.ts';
import type { RateTerms } from '../domain/rating.ts';
import { sellTermsOf } from './rate-plans.ts';

/** The terms a call was rated with, stored with the charge so its cost never changes. */
export interface TermsSnapshot {
  source: 'product' | 'reseller_price' | 'rate_plan';
  product_id: number;
  reseller_id: number | null;
  /** For source 'rate_plan': the plan and the version the call was rated with. */
  rate_plan_id?: number;
  rate_plan_version_id?: number;
  connection_cost: string;
  grace_seconds: number;
  cost_per_minute: string;
  initial_increment: number;
  increment: number;
}

export interface ChainAccount {
  status: 'active' | 'suspended' | 'closed';
  billing_mode: 'prepaid' | 'postpaid';
  balance: string;
  credit_limit: string;
  max_concurrent_calls: number;
}

export interface CallLevel {
  /** 0 = the owner of the number, 1 = the reseller above it. */
  level: 0 | 1;
  accountId: number;
  role: 'reseller' | 'customer';
  account: ChainAccount;
  /** The account's live subscription to the number; null when it has none. */
  subscription: 'active' | 'suspended' | null;
  terms: TermsSnapshot;
}

function planTermsOf(snapshot: TermsSnapshot): PlanTerms {
  return {
    connection_cost: snapshot.connection_cost, grace_seconds: snapshot.grace_seconds, cost_per_minute: snapshot.cost_per_minute,
    initial_increment: snapshot.initial_increment, increment: snapshot.increment,
  };
}

/**
 * The plan version in force at `at` as the terms of a snapshot, over the buy terms (used by a
 * markup plan); undefined when the number has no plan or the plan has no version in force yet.
 */
function planSnapshot(h: CallHoldingRow, planId: number | null, at: Date, buy: PlanTerms, resellerId: number | null): TermsSnapshot | undefined {
  if (planId === null) return undefined;
  const version = versionInForce(h.rate_plan_versions?.get(planId) ?? [], at);
  if (!version) return undefined;
  return {
    source: 'rate_plan', product_id: h.product_id, reseller_id: resellerId, rate_plan_id: planId, rate_plan_version_id: version.id,
    ...sellTermsOf(version, buy),
  };
}

function productTerms(h: CallHoldingRow, at: Date): TermsSnapshot {
  const own: TermsSnapshot = {
    source: 'product', product_id: h.product_id, reseller_id: null,
    connection_cost: h.connection_cost, grace_seconds: h.grace_seconds, cost_per_minute: h.cost_per_minute,
    initial_increment: h.initial_increment, increment: h.increment,
  };
  return planSnapshot(h, h.product_rate_plan_id, at, planTermsOf(own), null) ?? own;
}

function sellTerms(h: CallHoldingRow, at: Date): TermsSnapshot {
  const buy = productTerms(h, at);
  const planned = planSnapshot(h, h.sell_rate_plan_id, at, planTermsOf(buy), h.reseller_id);
  if (planned) return planned;
  // A reseller with no sell terms of its own for the number sells at its buy terms.
  if (h.sell_connection_cost === null || h.sell_cost_per_minute === null) return buy;
  return {
    source: 'reseller_price', product_id: h.product_id, reseller_id: h.reseller_id,
    connection_cost: h.sell_connection_cost, grace_seconds: h.sell_grace_seconds ?? 0, cost_per_minute: h.sell_cost_per_minute,
    initial_increment: h.sell_initial_increment ?? 0, increment: h.sell_increment ?? 0,
  };
}

/**
 * Everyone who pays for a call to this number, owner first; empty when nobody holds it. `at` is
 * when the call was answered (or, routing a call, now): it picks the rate plan versions.
 */
export function callChain(h: CallHoldingRow, at: Date): CallLevel[] {
  if (h.owner_id === null || h.owner_role === null || h.owner_role === 'admin') return [];
  const owner: CallLevel = {
    level: 0,
    accountId: h.owner_id,
    role: h.owner_role,
    account: {
      status: h.owner_status!, billing_mode: h.owner_billing_mode!, balance: h.owner_balance!,
      credit_limit: h.owner_credit_limit!, max_concurrent_calls: h.owner_max_calls ?? 0,
    },
    subscription: h.owner_subscription,
    terms: h.reseller_id !== null ? sellTerms(h, at) : productTerms(h, at),
  };
  if (h.reseller_id === null) return [owner];
  return [
    owner,
    {
      level: 1,
      accountId: h.reseller_id,
      role: 'reseller',
      account: {
        status: h.reseller_status!, billing_mode: h.reseller_billing_mode!, balance: h.reseller_balance!,
        credit_limit: h.reseller_credit_limit!, max_concurrent_calls: h.reseller_max_calls ?? 0,
      },
      subscription: h.reseller_subscription,
      terms: productTerms(h, at),
    },
  ];
}

export function rateTermsOf(snapshot: TermsSnapshot): RateTerms {
  return {
    connectionCost: snapshot.connection_cost,
    perMinute: snapshot.cost_per_minute,
    graceSeconds: snapshot.grace_seconds,
    initialIncrement: snapshot.initial_increment,
    increment: snapshot.increment,
  };
}
