// A DID's terms as typed by the admin, in the Create DID form or a CSV row: one validation for
// both, so a number the form refuses is refused by an import for the same reason and in the same
// words. Pure code: the caller resolves the provider and checks that the number is new.
import { BILLING_PERIODS, type BillingPeriod } from './billing-calendar.ts';
import { toStored } from './money.ts';
import { countryCodeOf, countryName, parseDidNumber } from './phone-numbers.ts';

// The forms and pages that show a DID's terms name its number and country through here too.
export { countryCodeOf, countryName, countryOptions, formatDidNumber, parseDidNumber, type ParsedNumber } from './phone-numbers.ts';

export type DidStatus = 'active' | 'inactive';
export type BillingType = 'one_time' | 'recurring';

/** Validated terms, ready for the products table (amounts as NUMERIC(20,6) strings). */
export interface DidTerms {
  number: string;
  country: string;
  province: string | null;
  city: string | null;
  status: DidStatus;
  buy_cost: string;
  connection_cost: string;
  grace_seconds: number;
  cost_per_minute: string;
  initial_increment: number;
  increment: number;
  setup_fee: string;
  monthly_fee: string;
  call_timeout: number;
  billing_type: BillingType;
  billing_days: number;
  /** 'days': every `billing_days` days; 'month': on the holder's billing day; 'year': on the purchase's date each year. */
  billing_period: BillingPeriod;
  concurrent_calls: number;
}

export type DidField = keyof DidTerms | 'provider';

export interface DidFieldInfo {
  name: DidField;
  label: string;
  help: string;
}

/**
 * The fields in the order of the form and of the CSV columns, labelled as operators know them
 * from ASTPP. The CSV header may use either the name or the label.
 */
export const DID_FIELDS: readonly DidFieldInfo[] = [
  { name: 'number', label: 'DID', help: 'The phone number, in international form, e.g. +44 20 7946 0958.' },
  { name: 'provider', label: 'Provider', help: 'The carrier the number comes from.' },
  { name: 'country', label: 'Country', help: 'Taken from the number when left empty; must agree with it.' },
  { name: 'city', label: 'City', help: 'Where the number belongs, as buyers search for it.' },
  { name: 'province', label: 'Province', help: 'State, province or region of the number.' },
  { name: 'buy_cost', label: 'Buy Cost', help: 'What the provider charges you for the number.' },
  { name: 'status', label: 'Status', help: 'An inactive number is neither sold nor routed.' },
  { name: 'connection_cost', label: 'Connection Cost', help: 'Fee charged when a call connects.' },
  { name: 'grace_seconds', label: 'Grace Time (Sec.)', help: 'Seconds free on each call.' },
  { name: 'cost_per_minute', label: 'Cost per minute', help: 'Price of a minute of an inbound call.' },
  { name: 'initial_increment', label: 'Initial Increment', help: 'Seconds charged as one first block once the grace time is over.' },
  { name: 'increment', label: 'Increment', help: 'Then charged in steps of this many seconds, e.g. 60 to charge every minute.' },
  { name: 'setup_fee', label: 'Setup Fee', help: 'Charged once, when the number is bought.' },
  { name: 'monthly_fee', label: 'Monthly Fee', help: 'The price of each billing period.' },
  { name: 'call_timeout', label: 'Call Timeout (Sec.)', help: 'Ring time before the forwarded call gives up.' },
  { name: 'billing_type', label: 'Billing Type', help: 'One time: charged once; recurring: charged every billing period.' },
  { name: 'billing_days', label: 'Billing Days', help: 'Days in a billing period (one time: days the number is held, 0 = no end); unused by calendar terms.' },
  {
    name: 'billing_period',
    label: 'Billing Period',
    help: "Every N billing days; a calendar month, renewed on the holder's billing day (the first period prorated); or annual, renewed on the purchase date.",
  },
  { name: 'concurrent_calls', label: 'Concurrent Calls', help: 'Calls at once on this number (0 = unlimited).' },
];

/** What an empty field means when empties take defaults (CSV cells, missing columns). */
export const DID_DEFAULTS: Readonly<Record<string, string>> = Object.freeze({
  status: 'active',
  buy_cost: '0',
  connection_cost: '0',
  grace_seconds: '0',
  cost_per_minute: '0',
  initial_increment: '60',
  increment: '60',
  setup_fee: '0',
  monthly_fee: '0',
  call_timeout: '30',
  billing_type: 'recurring',
  billing_days: '30',
  billing_period: 'days',
  concurrent_calls: '0',
});

const AMOUNT_FIELDS = ['buy_cost', 'connection_cost', 'cost_per_minute', 'setup_fee', 'monthly_fee'] as const;
const SECONDS_FIELDS = ['grace_seconds', 'initial_increment', 'increment', 'call_timeout'] as const;
/** Far above any real setting, low enough for an int column and safe integers in rating. */
const MAX_SECONDS = 1_000_000_000;
const MAX_CONCURRENT_CALLS = 1_000_000;
const MAX_BILLING_DAYS = 36_500;
const MAX_PLACE_LENGTH = 100;

export type DidInput = Partial<Record<DidField, unknown>>;

/** A stored DID's terms as input (its provider by id): what a partial change is laid over. */
export function storedDidInput(did: Partial<Record<Exclude<DidField, 'provider'>, unknown>> & { provider_id: number | string | null }): DidInput {
  const input: DidInput = { provider: did.provider_id === null ? '' : String(did.provider_id) };
  for (const field of DID_FIELDS) {
    if (field.name === 'provider') continue;
    const value = did[field.name as Exclude<DidField, 'provider'>];
    input[field.name as DidField] = value === null || value === undefined ? '' : value;
  }
  return input;
}

export type DidTermsResult =
  | { ok: true; terms: DidTerms; provider: string }
  | { ok: false; errors: Partial<Record<DidField, string>>; provider: string };

export interface ParseDidOptions {
  /** 'default': an empty field takes DID_DEFAULTS (CSV); 'required': it is an error (the form). */
  empty: 'default' | 'required';
  /** A country for the whole input when its own is empty (the import's file-wide default). */
  defaultCountry?: string | undefined;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return String(value);
  return '';
}

function parseAmount(value: string): { ok: true; value: string } | { ok: false; message: string } {
  if (/^-\s*\d/.test(value)) return { ok: false, message: 'Must not be negative' };
  if (/^\d{1,14}\.\d{7,}$/.test(value)) return { ok: false, message: 'Use at most 6 decimals' };
  if (!/^\d{1,14}(\.\d{1,6})?$/.test(value)) return { ok: false, message: `"${value}" is not an amount: use digits and a point, like 0.0100` };
  return { ok: true, value: toStored(value) };
}

function parseWhole(value: string, max: number, unit: string): { ok: true; value: number } | { ok: false; message: string } {
  if (/^-\s*\d/.test(value)) return { ok: false, message: 'Must not be negative' };
  if (!/^\d+$/.test(value)) return { ok: false, message: `Must be a whole number of ${unit}, like 60` };
  const number = Number(value);
  if (number > max) return { ok: false, message: `Must be at most ${max.toLocaleString('en-US')}` };
  return { ok: true, value: number };
}

function parseChoice<T extends string>(value: string, choices: Record<string, T>): T | undefined {
  return choices[value.toLowerCase().replace(/[\s-]+/g, '_')];
}

const STATUSES: Record<string, DidStatus> = { active: 'active', inactive: 'inactive' };
const BILLING_TYPES: Record<string, BillingType> = { one_time: 'one_time', onetime: 'one_time', recurring: 'recurring' };
const PERIOD_NAMES: Record<string, BillingPeriod> = {
  ...Object.fromEntries(BILLING_PERIODS.map((period) => [period, period])),
  every_n_days: 'days', monthly: 'month', calendar_month: 'month', annual: 'year', yearly: 'year',
};

/** Validates one DID's terms; on failure, one message per field. */
export function parseDidTerms(input: DidInput, options: ParseDidOptions): DidTermsResult {
  const errors: Partial<Record<DidField, string>> = {};
  const raw = (field: DidField): string => {
    const value = text(input[field]);
    if (value === '' && options.empty === 'default') return DID_DEFAULTS[field] ?? '';
    return value;
  };
  const required = (field: DidField, message: string): string | undefined => {
    const value = raw(field);
    if (value === '') {
      errors[field] = message;
      return undefined;
    }
    return value;
  };

  // A file-wide default only fills in: it reads national numbers and names the country of a
  // number that does not tell its own, but never contradicts the number.
  const ownCountryText = raw('country');
  const fromDefault = ownCountryText === '' && Boolean(options.defaultCountry);
  const countryText = ownCountryText || (options.defaultCountry ?? '');
  const givenCountry = countryText === '' ? undefined : countryCodeOf(countryText);
  if (countryText !== '' && !givenCountry) errors.country = `"${countryText}" is not a country: use its name or its two-letter code`;

  let number = '';
  let country: string | undefined = givenCountry;
  const numberText = raw('number');
  const parsedNumber = parseDidNumber(numberText, givenCountry);
  if (!parsedNumber.ok) {
    errors.number = numberText === '' ? 'Enter the number' : parsedNumber.message;
  } else {
    number = parsedNumber.e164;
    if (givenCountry && parsedNumber.country && givenCountry !== parsedNumber.country) {
      if (fromDefault) country = parsedNumber.country;
      else errors.country = `${number} is a number of ${countryName(parsedNumber.country)}, not ${countryName(givenCountry)}`;
    }
    country ??= parsedNumber.country;
    if (!country && !errors.country) errors.country = 'Choose the country: the number does not tell it';
  }

  const amounts = {} as Record<(typeof AMOUNT_FIELDS)[number], string>;
  for (const field of AMOUNT_FIELDS) {
    const value = required(field, 'Enter an amount (0 for none)');
    if (value === undefined) continue;
    const parsed = parseAmount(value);
    if (parsed.ok) amounts[field] = parsed.value;
    else errors[field] = parsed.message;
  }
  const seconds = {} as Record<(typeof SECONDS_FIELDS)[number], number>;
  for (const field of SECONDS_FIELDS) {
    const value = required(field, 'Enter a number of seconds (0 for none)');
    if (value === undefined) continue;
    const parsed = parseWhole(value, MAX_SECONDS, 'seconds');
    if (parsed.ok) seconds[field] = parsed.value;
    else errors[field] = parsed.message;
  }
  let concurrentCalls = 0;
  const concurrentText = required('concurrent_calls', 'Enter a number of calls (0 = unlimited)');
  if (concurrentText !== undefined) {
    const parsed = parseWhole(concurrentText, MAX_CONCURRENT_CALLS, 'calls');
    if (parsed.ok) concurrentCalls = parsed.value;
    else errors.concurrent_calls = parsed.message;
  }

  let status: DidStatus = 'active';
  const statusText = required('status', 'Choose active or inactive');
  if (statusText !== undefined) {
    const parsed = parseChoice(statusText, STATUSES);
    if (parsed) status = parsed;
    else errors.status = `"${statusText}" is not a status: use active or inactive`;
  }
  let billingType: BillingType = 'recurring';
  const billingTypeText = required('billing_type', 'Choose one time or recurring');
  if (billingTypeText !== undefined) {
    const parsed = parseChoice(billingTypeText, BILLING_TYPES);
    if (parsed) billingType = parsed;
    else errors.billing_type = `"${billingTypeText}" is not a billing type: use one_time or recurring`;
  }
  let billingDays = 0;
  const billingDaysText = required('billing_days', 'Enter a number of days');
  if (billingDaysText !== undefined) {
    const parsed = parseWhole(billingDaysText, MAX_BILLING_DAYS, 'days');
    if (!parsed.ok) errors.billing_days = parsed.message;
    else if (billingType === 'recurring' && parsed.value < 1) errors.billing_days = 'A recurring number needs at least 1 billing day';
    else billingDays = parsed.value;
  }
  // A column older files and forms do not have: empty is the day-based term they always meant.
  let billingPeriod: BillingPeriod = 'days';
  const billingPeriodText = text(input.billing_period);
  if (billingPeriodText !== '') {
    const parsed = parseChoice(billingPeriodText, PERIOD_NAMES);
    if (!parsed) errors.billing_period = `"${billingPeriodText}" is not a billing period: use days, month or year`;
    else if (parsed !== 'days' && billingType !== 'recurring') errors.billing_period = 'Calendar-month and annual terms are recurring: choose recurring';
    else billingPeriod = parsed;
  }

  const place = (field: 'province' | 'city'): string | null => {
    const value = text(input[field]);
    if (value.length > MAX_PLACE_LENGTH) errors[field] = `Use at most ${MAX_PLACE_LENGTH} characters`;
    return value === '' ? null : value;
  };
  const province = place('province');
  const city = place('city');
  const provider = text(input.provider);

  if (Object.keys(errors).length > 0) return { ok: false, errors, provider };
  return {
    ok: true,
    provider,
    terms: {
      number,
      country: country!,
      province,
      city,
      status,
      ...amounts,
      ...seconds,
      billing_type: billingType,
      billing_days: billingDays,
      billing_period: billingPeriod,
      concurrent_calls: concurrentCalls,
    },
  };
}

/** Normalises a CSV header to a field name: "Grace Time (Sec.)", "grace_seconds" and "DID" all work. */
export function fieldForHeader(header: string): DidField | undefined {
  const key = header.toLowerCase().replace(/[^a-z0-9]/g, '');
  return HEADER_KEYS.get(key);
}

const HEADER_KEYS = new Map<string, DidField>();
for (const field of DID_FIELDS) {
  HEADER_KEYS.set(field.name.replace(/_/g, ''), field.name);
  HEADER_KEYS.set(field.label.toLowerCase().replace(/[^a-z0-9]/g, ''), field.name);
}
for (const [alias, field] of [
  ['number', 'number'], ['didnumber', 'number'], ['costmin', 'cost_per_minute'], ['costminute', 'cost_per_minute'],
  ['gracetime', 'grace_seconds'], ['calltimeout', 'call_timeout'], ['setup', 'setup_fee'], ['monthly', 'monthly_fee'],
  ['cc', 'concurrent_calls'],
] as const) {
  HEADER_KEYS.set(alias, field);
}

export type RateTermField = 'connection_cost' | 'grace_seconds' | 'cost_per_minute' | 'initial_increment' | 'increment';
export const RATE_TERM_FIELDS: readonly RateTermField[] = ['connection_cost', 'grace_seconds', 'cost_per_minute', 'initial_increment', 'increment'];
export type RateTermValues = Pick<DidTerms, RateTermField>;

/** The five per-minute terms alone, with the DID form's rules and words: a rate plan's form. */
export function parseRateTermFields(
  input: Partial<Record<RateTermField, unknown>>,
): { ok: true; terms: RateTermValues } | { ok: false; errors: Partial<Record<RateTermField, string>> } {
  const errors: Partial<Record<RateTermField, string>> = {};
  const terms = {} as Record<RateTermField, string | number>;
  for (const field of RATE_TERM_FIELDS) {
    const value = text(input[field]);
    const isAmount = field === 'connection_cost' || field === 'cost_per_minute';
    if (value === '') {
      errors[field] = isAmount ? 'Enter an amount (0 for none)' : 'Enter a number of seconds (0 for none)';
      continue;
    }
    const parsed = isAmount ? parseAmount(value) : parseWhole(value, MAX_SECONDS, 'seconds');
    if (parsed.ok) terms[field] = parsed.value;
    else errors[field] = parsed.message;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, terms: terms as unknown as RateTermValues };
}
