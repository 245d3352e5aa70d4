// The one presentation of values on pages (issue 19): a phone number, an amount, a rate, a
// duration, a date and a status each render through one helper here, so every page shows them the
// same way. Templates call these; they do no arithmetic of their own. CSV exports do NOT use
// them: a CSV keeps raw E.164 numbers and plain decimals, for spreadsheets and re-imports.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { formatMoney } from '../../domain/money.ts';
import { countryName, formatDidNumber } from '../../domain/phone-numbers.ts';
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
  /** HTML: a caller ID as the switch sent it: an E.164 number as phoneHtml, anything else (an extension, "anonymous") as escaped text, "—" when empty. */
  callerHtml(caller: string | null | undefined): string;
  /** Seconds as a clock reads them: "0:45", "2:05", "1:02:03". */
  duration(seconds: number | null | undefined): string;
  /** HTML: the clock form with the exact seconds in its title and datetime (print with <%-). */
  durationHtml(seconds: number | null | undefined): string;
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

/** The domain's grouping (routes use it for flash messages and titles): one implementation. */
export function formatPhone(e164: string | null | undefined): string {
  return e164 ? formatDidNumber(e164) : '';
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

export function formatCallerHtml(caller: string | null | undefined): string {
  if (!caller) return '—';
  return /^\+[1-9]\d{6,14}$/.test(caller) && parsePhoneNumberFromString(caller) ? formatPhoneHtml(caller) : escapeHtml(caller);
}

/**
 * "30 Nov 2026, 22:45 UTC", its date and its time each kept on one line (no-break spaces), so a
 * narrow table cell wraps it only after the comma.
 */
export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return '';
  const [day = '', time = ''] = dateTimeFormat.format(new Date(value)).split(', ');
  return `${day.replaceAll(' ', '\u00a0')}, ${time}\u00a0UTC`;
}

/** Seconds as a clock reads them: "0:45", "2:05", "1:02:03" (whole seconds, rounded). */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '';
  const total = Math.max(0, Math.round(seconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes}:${pad(total % 60)}`;
  return `${Math.floor(minutes / 60)}:${pad(minutes % 60)}:${pad(total % 60)}`;
}

/**
 * HTML: the clock form in a <time> element whose datetime is the exact ISO 8601 duration and whose
 * title says the exact seconds, so "2:05" can be checked as "125 seconds" on hover.
 */
export function formatDurationHtml(seconds: number | null | undefined): string {
  const shown = formatDuration(seconds);
  if (!shown) return '';
  const exact = Math.max(0, Math.round(seconds!));
  return `<time class="duration" datetime="PT${exact}S" title="${exact} second${exact === 1 ? '' : 's'}">${shown}</time>`;
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
    dateTime: formatDateTime,
    count: (value) => countFormat.format(value),
    phone: formatPhone,
    phoneCountry,
    phoneHtml: formatPhoneHtml,
    callerHtml: formatCallerHtml,
    duration: formatDuration,
    durationHtml: formatDurationHtml,
    status: formatStatus,
    prose: formatProse,
  };
}
