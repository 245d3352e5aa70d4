// Authorising an inbound call to a DID: whether it may go through, to which destination, for how
// long and under which concurrency limits. One decision for every switch: the FreeSWITCH dialplan
// route and the JSON API both call authorizeCall.
import type { Db } from '../db/knex.ts';
import type { Config } from '../config.ts';
import { findHoldingTakingSlot, type SlotDecision } from '../db/repos/call-holdings.ts';
import { releaseCallSlots, type SlotLimits } from '../db/repos/call-slots.ts';
import { ACCOUNT_LIMIT_CAUSE, bridgeString, normalizeDialledNumber, refuse, type Refusal } from '../domain/call-routing.ts';
import { validateDestination, type DestinationResult, type DestinationType } from '../domain/destination.ts';
import { toPlain } from '../domain/money.ts';
import { compileTerms, type CompiledRateTerms } from '../domain/rating.ts';
import { callChain, rateTermsOf, type CallLevel, type TermsSnapshot } from './call-terms.ts';

export interface CallRequest {
  /** The number as the switch dialled it. */
  destination: string;
  caller: string;
  uuid: string;
  switchId: number | null;
  now: Date;
}

export interface AcceptedCall {
  accepted: true;
  uuid: string;
  number: string;
  productId: number;
  ownerId: number;
  resellerId: number | null;
  bridge: string;
  destinationType: 'sip_uri' | 'pstn' | 'extension';
  destination: string;
  callTimeout: number;
  maxSeconds: number;
  /** Credit reserved for the call until its CDR settles it: on the owner, and on its reseller. */
  reserved: string;
  resellerReserved: string | null;
  didLimit: number;
  accountLimit: number;
}

export type CallDecision = AcceptedCall | { accepted: false; uuid: string; number: string | null; refusal: Refusal };

export type RoutingSettings = Pick<Config, 'maxCallSeconds' | 'callSlotMarginSeconds' | 'bridgeTemplates' | 'pstnGateway' | 'extensionDomain' | 'moneyDecimals'>;

// Terms rarely change: compile each set once per process (bounded, as the CDR rater does).
const compiledCache = new Map<string, CompiledRateTerms>();
export function compiledTermsOf(snapshot: TermsSnapshot): CompiledRateTerms {
  const key = `${snapshot.connection_cost}|${snapshot.grace_seconds}|${snapshot.cost_per_minute}|${snapshot.initial_increment}|${snapshot.increment}`;
  let compiled = compiledCache.get(key);
  if (!compiled) {
    if (compiledCache.size >= 10_000) compiledCache.clear();
    compiled = compileTerms(rateTermsOf(snapshot));
    compiledCache.set(key, compiled);
  }
  return compiled;
}

function refusalForAccount(level: CallLevel, number: string): Refusal | undefined {
  const who = level.level === 0 ? 'the owner of' : 'the reseller of';
  if (level.account.status === 'suspended') return refuse('suspended', `The account of ${who} ${number} is suspended`);
  if (level.account.status !== 'active') return refuse('inactive', `The account of ${who} ${number} is closed`);
  if (level.subscription === null) return refuse('not_assigned', `${number} has no live subscription for ${who.replace('the ', '')} it`);
  if (level.subscription === 'suspended') return refuse('suspended', `The subscription of ${who} ${number} is suspended (unpaid)`);
  return undefined;
}

/** Which limit left no room; none when the call's own slot, expired, was still there. */
function slotRefusal(number: string, limits: SlotLimits, counts: SlotDecision): Refusal | undefined {
  if (limits.did > 0 && counts.did >= limits.did) {
    return refuse('limit_reached', `${number} already has ${counts.did} of its ${limits.did} concurrent calls`);
  }
  if (limits.owner > 0 && counts.owner >= limits.owner) {
    return refuse('limit_reached', `The owner of ${number} already has ${counts.owner} of its ${limits.owner} concurrent calls`, ACCOUNT_LIMIT_CAUSE);
  }
  if (limits.reseller > 0 && counts.reseller >= limits.reseller) {
    return refuse('limit_reached', `The reseller of ${number} already has ${counts.reseller} of its ${limits.reseller} concurrent calls`, ACCOUNT_LIMIT_CAUSE);
  }
  return undefined;
}

// A PSTN number costs libphonenumber tens of microseconds: each destination a call goes to is
// checked once per process (bounded). The admin's full scan does not use it, so as not to evict.
const checkedCache = new Map<string, DestinationResult>();
function checkedDestination(type: string, destination: string): DestinationResult {
  const key = `${type}\n${destination}`;
  let checked = checkedCache.get(key);
  if (!checked) {
    if (checkedCache.size >= 10_000) checkedCache.clear();
    checked = validateDestination(type, destination);
    checkedCache.set(key, checked);
  }
  return checked;
}

export type BridgeConfig = Pick<Config, 'bridgeTemplates' | 'pstnGateway' | 'extensionDomain'>;
export type Forwarding = { ok: true; type: DestinationType; destination: string; bridge: string } | { ok: false; reason: string };

/**
 * A stored destination as the grammar reads it today, with its bridge, or why it cannot be routed.
 * Route time and the admin's list of invalid destinations both ask this, so they always agree.
 */
export function forwardingOf(type: string | null, destination: string, settings: BridgeConfig, check = validateDestination): Forwarding {
  const checked = check(type ?? '', destination);
  if (!checked.ok) return { ok: false, reason: checked.message };
  const bridge = bridgeString(checked.type, checked.destination, {
    templates: settings.bridgeTemplates, pstnGateway: settings.pstnGateway, extensionDomain: settings.extensionDomain,
  });
  if (bridge === undefined) return { ok: false, reason: 'The bridge builder refuses it' };
  return { ok: true, type: checked.type, destination: checked.destination, bridge };
}

export async function authorizeCall(db: Db, settings: RoutingSettings, request: CallRequest): Promise<CallDecision> {
  const refused = (number: string | null, refusal: Refusal): CallDecision => ({ accepted: false, uuid: request.uuid, number, refusal });
  const number = normalizeDialledNumber(request.destination);
  if (!number) return refused(null, refuse('unknown_number', `"${request.destination}" is not a phone number`));
  // One round trip reads the number, takes its concurrency slot and reserves the call's credit
  // at every level of its chain (take_call_slots); the checks below explain a refusal, and a
  // refusal after a slot was taken gives it back.
  const found = await findHoldingTakingSlot(db, {
    number, uuid: request.uuid, switchId: request.switchId, now: request.now,
    capSeconds: settings.maxCallSeconds, marginSeconds: settings.callSlotMarginSeconds, decimals: settings.moneyDecimals,
  });
  if (!found) return refused(number, refuse('unknown_number', `${number} is not a number of this platform`));
  const { holding, slot } = found;
  const refusedGivingBack = async (refusal: Refusal): Promise<CallDecision> => {
    if (slot?.taken) await releaseCallSlots(db, [request.uuid], request.now);
    return refused(number, refusal);
  };
  if (holding.status !== 'active' || holding.archived_at !== null) return refusedGivingBack(refuse('inactive', `${number} is inactive`));
  const chain = callChain(holding, request.now);
  if (chain.length === 0) return refusedGivingBack(refuse('not_assigned', `${number} is not assigned to any account`));
  for (const level of chain) {
    const refusal = refusalForAccount(level, number);
    if (refusal) return refusedGivingBack(refusal);
  }
  if (!holding.destination_type || !holding.destination) {
    return refusedGivingBack(refuse('no_destination', `${number} has no destination to forward its calls to`));
  }
  const forwarding = forwardingOf(holding.destination_type, holding.destination, settings, checkedDestination);
  if (!forwarding.ok) {
    // Saved under an older, looser grammar: refused rather than pasted into a bridge, and listed
    // for the admin. The message leaves the value out, as FreeSWITCH expands ${...} in what it logs.
    return refusedGivingBack(refuse('no_destination', `${number} has a destination that is no longer accepted; its owner must set it again`));
  }
  // The statement tries a slot under the conditions checked above (a destination that is no
  // longer accepted aside: that refusal gives the slot and its reservations back).
  if (!slot) throw new Error(`No slot was tried for ${number}, yet nothing refuses the call`);

  // Every level must afford the call at its own terms, after the credit reserved for its calls
  // in progress; the shortest allowance wins, and each level reserves that call's cost.
  if (slot.short) {
    const who = slot.short.level === 0 ? 'The owner' : 'The reseller';
    const funds = toPlain(slot.short.funds, settings.moneyDecimals);
    const what = slot.short.what === 'initial' ? 'the connection cost plus the initial increment' : 'the first increment';
    return refused(number, refuse('insufficient_funds',
      `${who} of ${number} cannot pay for the call: available funds ${funds} (after calls in progress) do not cover ${what} (${slot.short.needed})`));
  }

  const owner = chain[0]!;
  const reseller = chain[1];
  const limits: SlotLimits = { did: holding.concurrent_calls, owner: owner.account.max_concurrent_calls, reseller: reseller?.account.max_concurrent_calls ?? 0 };
  // Parallel requests for the same number or account, on any app instance, queue inside
  // take_call_slots, so the counts and funds each one sees include the others.
  if (!slot.taken && !slot.held) {
    const limitRefusal = slotRefusal(number, limits, slot);
    if (limitRefusal) return refused(number, limitRefusal);
  }
  const maxSeconds = slot.allowedSeconds ?? settings.maxCallSeconds;

  return {
    accepted: true,
    uuid: request.uuid,
    number,
    productId: holding.product_id,
    ownerId: owner.accountId,
    resellerId: reseller?.accountId ?? null,
    bridge: forwarding.bridge,
    destinationType: forwarding.type,
    destination: forwarding.destination,
    callTimeout: holding.call_timeout,
    maxSeconds,
    reserved: toPlain(slot.ownerReserved, settings.moneyDecimals),
    resellerReserved: reseller ? toPlain(slot.resellerReserved, settings.moneyDecimals) : null,
    didLimit: limits.did,
    accountLimit: limits.owner,
  };
}
