// Payment rows as the pages show them: labels, the card as "visa •••• 4242", a receipt link only
// when it is Stripe's https address.
import type { PaymentListRow } from '../../../db/queries/payments.ts';
import type { PaymentRow } from '../../../db/repos/payments.ts';
import type { RefillSettingsRow } from '../../../db/repos/refill-settings.ts';
import type { CsvTable } from '../../../services/csv-export.ts';
import { csvAmount, csvText, csvTime } from '../../presenters/csv-values.ts';

export const STATUS_LABELS: Record<PaymentRow['status'], string> = {
  pending: 'Pending',
  succeeded: 'Succeeded',
  failed: 'Failed',
  expired: 'Expired',
  refunded: 'Refunded',
  partially_refunded: 'Partly refunded',
};

export const KIND_LABELS: Record<PaymentRow['kind'], string> = { topup: 'Add funds', refill: 'Automatic refill' };

const card = (brand: string | null, last4: string | null) => (last4 ? `${brand ?? 'card'} •••• ${last4}` : '');

export function presentPayment(row: PaymentRow | PaymentListRow) {
  return {
    id: row.id,
    account: 'account_name' in row ? { id: row.account_id, name: row.account_name, email: row.account_email } : undefined,
    kind: row.kind,
    kindLabel: KIND_LABELS[row.kind],
    status: row.status,
    statusLabel: STATUS_LABELS[row.status],
    amount: row.amount,
    amountRefunded: row.amount_refunded,
    refunded: /[1-9]/.test(row.amount_refunded),
    currency: row.currency,
    card: card(row.card_brand, row.card_last4),
    receiptUrl: row.receipt_url?.startsWith('https://') ? row.receipt_url : undefined,
    paymentIntentId: row.payment_intent_id,
    failure: row.failure_message,
    disputedAt: row.disputed_at,
    ledgerEntryId: row.ledger_entry_id,
    createdAt: row.created_at,
  };
}

export type PaymentView = ReturnType<typeof presentPayment>;

export function presentRefill(row: RefillSettingsRow | undefined) {
  return {
    card: row ? card(row.card_brand, row.card_last4) || (row.payment_method_id ? 'saved card' : '') : '',
    enabled: row?.enabled ?? false,
    threshold: row?.threshold ?? '',
    amount: row?.amount ?? '',
    armed: row?.armed ?? true,
    failure: row?.last_failure_message ? { at: row.last_failure_at, message: row.last_failure_message } : undefined,
  };
}

/** The Payments lists as CSV: the admin's (every account, its filters) and an account's own. */
export function paymentsCsv(decimals: number): CsvTable<PaymentListRow> {
  const amount = csvAmount(decimals);
  return {
    columns: ['id', 'created_at', 'account_id', 'account', 'kind', 'status', 'amount', 'amount_refunded', 'currency', 'card', 'payment_intent', 'disputed_at'],
    numeric: ['id', 'account_id', 'amount', 'amount_refunded'],
    record: (row) => [
      row.id, csvTime(row.created_at), row.account_id, row.account_name, row.kind, row.status, amount(row.amount), amount(row.amount_refunded),
      row.currency, presentPayment(row).card, csvText(row.payment_intent_id), csvTime(row.disputed_at),
    ],
  };
}
