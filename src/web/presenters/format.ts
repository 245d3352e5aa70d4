// Formatting for pages: money with the currency symbol and grouping, dates in UTC.
// Templates call these; they do no arithmetic of their own.
import { formatMoney } from '../../domain/money.ts';
import type { Config } from '../../config.ts';

export interface Formatters {
  money(amount: string | null | undefined): string;
  date(value: Date | string | null | undefined): string;
  dateTime(value: Date | string | null | undefined): string;
  count(value: number): string;
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const countFormat = new Intl.NumberFormat('en-US');

export function createFormatters(config: Pick<Config, 'currency' | 'moneyDecimals'>): Formatters {
  return {
    money: (amount) => (amount === null || amount === undefined ? '' : formatMoney(amount, { currency: config.currency, decimals: config.moneyDecimals })),
    date: (value) => (value ? dateFormat.format(new Date(value)) : ''),
    dateTime: (value) => (value ? `${dateTimeFormat.format(new Date(value))} UTC` : ''),
    count: (value) => countFormat.format(value),
  };
}
