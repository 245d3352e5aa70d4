// An event's facts as its template's variables: every value a display string (money with its
// currency, dates in UTC), so templates print and never compute.
import { formatMoney, parseMoney } from './money.ts';
import type { MailEventType } from './mail-events.ts';

export interface MailFormat {
  currency: string;
  decimals: number;
}

export interface MailAddressee {
  name: string;
  email: string;
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

const RELEASE_REASONS: Record<string, string> = {
  released_by_holder: 'you released it',
  reclaimed_by_operator: 'it was taken back by your provider',
  reclaimed_by_reseller: 'your provider took it back',
  unpaid: 'it stayed unpaid past the grace period',
  expired: 'its one-time term ended',
  seller_unpaid: "your provider's own subscription to it was not paid",
  seller_expired: "your provider's term for it ended",
};

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

function validDate(value: unknown): Date | undefined {
  if (typeof value !== 'string' && !(value instanceof Date)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function mailVariables(
  type: MailEventType,
  data: Record<string, unknown>,
  context: { account: MailAddressee; brandName: string; format: MailFormat },
): Record<string, string> {
  // Charges print without a sign (a ledger debit is negative); balances keep theirs.
  const signed = (value: unknown) => {
    const amount = text(value);
    return amount === '' ? '' : formatMoney(parseMoney(amount), { currency: context.format.currency, decimals: context.format.decimals });
  };
  const money = (value: unknown) => {
    const amount = text(value);
    return amount === '' ? '' : signed(parseMoney(amount).abs().toFixed());
  };
  const date = (value: unknown) => {
    const parsed = validDate(value);
    return parsed ? dateFormat.format(parsed) : '';
  };
  const dateTime = (value: unknown) => {
    const parsed = validDate(value);
    return parsed ? `${dateTimeFormat.format(parsed)} UTC` : '';
  };
  const common = { brand_name: context.brandName, account_name: context.account.name, account_email: context.account.email };
  const number = text(data.number);
  switch (type) {
    case 'number.purchased': {
      const total = parseMoney(text(data.setup_fee) || '0').abs().plus(parseMoney(text(data.first_period) || '0').abs());
      const days = Number(data.billing_days);
      return {
        ...common, number,
        setup_fee: money(data.setup_fee || '0'), first_period: money(data.first_period || '0'), total: money(total.toFixed()),
        price: money(data.price || '0'),
        billing: data.billing_type === 'one_time' ? `once, for ${days} days`
          : data.billing_period === 'month' ? 'each calendar month' : data.billing_period === 'year' ? 'each year' : `every ${days} days`,
        next_renewal: date(data.next_billing_at) || 'no renewal',
      };
    }
    case 'subscription.renewed':
      return { ...common, number, amount: money(data.amount), period_start: date(data.period_start), period_end: date(data.period_end) };
    case 'renewal.notice':
      return { ...common, number, amount: money(data.amount), due_at: date(data.due_at), available: signed(data.available) };
    case 'number.suspended':
      return { ...common, number, amount: money(data.amount), note: text(data.note) };
    case 'number.released':
      return { ...common, number, reason: RELEASE_REASONS[text(data.reason)] ?? (text(data.note) || 'it was released') };
    case 'number.expiring':
      return { ...common, number, expires_at: date(data.expires_at) };
    case 'balance.low':
      return { ...common, balance: signed(data.balance), available: signed(data.available ?? data.balance), threshold: signed(data.threshold) };
    case 'payment.received':
      return { ...common, amount: money(data.amount), kind: text(data.kind), balance: signed(data.balance), note: text(data.note) };
    case 'refill.failed': {
      const last4 = text(data.card_last4);
      const card = last4 ? `${text(data.card_brand) || 'card'} •••• ${last4}` : 'your saved card';
      return { ...common, amount: money(data.amount), card, reason: text(data.reason), add_funds_url: text(data.add_funds_url) };
    }
    case 'password.reset':
      return { ...common, reset_url: text(data.reset_url), expires_at: dateTime(data.expires_at) };
    case 'account.welcome':
      return { ...common, set_password_url: text(data.set_password_url), expires_at: dateTime(data.expires_at) };
  }
}
