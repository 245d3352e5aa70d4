// The one presentation of values on pages (issue 19): a phone number, an amount, a rate, a
// duration, a date and a status each render through one helper here, so every page shows them the
// same way. Templates call these; they do no arithmetic of their own. CSV exports do NOT use
// them: a CSV keeps raw E.164 numbers and plain decimals, for spreadsheets and re-imports.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { formatMoney } from '../../domain/money.ts';
import { countryName } from '../../domain/phone-numbers.ts';
import { DID_FIELDS } from '../../domain/did-terms.ts';
import type { Config } from '../../config.ts';

export interface Formatters {
  /** An amount with the currency, at MONEY_DECIMALS places: "$1,234.5000". */
  money(amount: string | null | undefined): string;
  /** A per-minute or per-call rate: the same as money (MONEY_DECIMALS places, with the currency). */
  rate(amount: string | null | undefined): string;
  date(value: Date | string | null | undefined): string;
  dateTime(value: Date | string | null | undefined): string;
  count(value: number): string;
  /** An E.164 number grouped as people read it: "+1 415 555 0163". */
  phone(e164: string | null | undefined): string;
  /** The ISO country of an E.164 number ("US"), or "" when unknown. */
  phoneCountry(e164: string | null | undefined): string;
  /** HTML: the grouped number with its country code before it (escaped; print with <%-). */
  phoneHtml(e164: string | null | undefined): string;
  /** Seconds as "45 s", "2 min 05 s", "1 h 02 min". */
  duration(seconds: number | null | undefined): string;
  /** A status word as a label: "past_due" -> "Past due". */
  status(value: string | null | undefined): string;
  /** Running text (a ledger description) with its E.164 numbers grouped. */
  prose(text: string | null | undefined): string;
}

/** One label per field on every page: the admin DID form's wording (templates see it as `labels`). */
export const FIELD_LABELS: Readonly<Record<string, string>> = Object.freeze(Object.fromEntries(DID_FIELDS.map((field) => [field.name, field.label])));

const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const countFormat = new Intl.NumberFormat('en-US');

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

export function formatPhone(e164: string | null | undefined): string {
  if (!e164) return '';
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

export function phoneCountry(e164: string | null | undefined): string {
  if (!e164) return '';
  return parsePhoneNumberFromString(e164)?.country ?? '';
}

export function formatPhoneHtml(e164: string | null | undefined): string {
  if (!e164) return '';
  const country = phoneCountry(e164);
  const code = country ? `<span class="cc" title="${escapeHtml(countryName(country))}">${escapeHtml(country)}</span> ` : '';
  return `<span class="phone" data-e164="${escapeHtml(e164)}">${code}<span class="digits">${escapeHtml(formatPhone(e164))}</span></span>`;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '';
  const total = Math.max(0, Math.round(seconds));
  if (total < 60) return `${total} s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (total < 3600) return `${Math.floor(total / 60)} min ${pad(total % 60)} s`;
  return `${Math.floor(total / 3600)} h ${pad(Math.floor((total % 3600) / 60))} min`;
}

export function formatStatus(value: string | null | undefined): string {
  if (!value) return '';
  const words = value.replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Groups the E.164 numbers inside a stored text: "Setup fee for +14155550163" -> "Setup fee for +1 415 555 0163". */
export function formatProse(text: string | null | undefined): string {
  if (!text) return '';
  return text.replace(/\+[1-9]\d{6,14}\b/g, (match) => formatPhone(match));
}

export function createFormatters(config: Pick<Config, 'currency' | 'moneyDecimals'>): Formatters {
  const money = (amount: string | null | undefined) =>
    amount === null || amount === undefined || amount === '' ? '' : formatMoney(amount, { currency: config.currency, decimals: config.moneyDecimals });
  return {
    money,
    rate: money,
    date: (value) => (value ? dateFormat.format(new Date(value)) : ''),
    dateTime: (value) => (value ? `${dateTimeFormat.format(new Date(value))} UTC` : ''),
    count: (value) => countFormat.format(value),
    phone: formatPhone,
    phoneCountry,
    phoneHtml: formatPhoneHtml,
    duration: formatDuration,
    status: formatStatus,
    prose: formatProse,
  };
}
