// Taxes of an invoice and the invoice's figures from ledger rows, without a database: tables of cases.
import { describe, expect, it } from 'vitest';
import { computeTaxes, type TaxRate } from '../../src/domain/taxes.ts';
import { buildInvoiceFigures, coveredDays, invoicePeriod, monthBefore, type PeriodLedgerRow } from '../../src/domain/invoices.ts';

const vat: TaxRate = { name: 'VAT', rate: '20', position: 1, compound: false };
const sales: TaxRate = { name: 'Sales tax', rate: '8.875', position: 1, compound: false };
const state: TaxRate = { name: 'State', rate: '5', position: 1, compound: false };
const city: TaxRate = { name: 'City', rate: '2', position: 2, compound: true };

describe('computeTaxes', () => {
  it.each([
    ['one rate on a round amount', '100', [vat], 4, ['20.0000'], '20.0000'],
    ['8.875 % rounded HALF_UP once to 4 places', '10.0001', [sales], 4, ['0.8875'], '0.8875'],
    ['a half rounded up at 2 places', '1.00', [{ ...vat, rate: '12.5' }], 2, ['0.13'], '0.13'],
    ['two simple taxes each on the lines only', '100', [vat, state], 4, ['20.0000', '5.0000'], '25.0000'],
    ['a compound tax on the amount plus the taxes before it', '100', [state, city], 4, ['5.0000', '2.1000'], '7.1000'],
    ['the order is the position, not the list', '100', [city, state], 4, ['5.0000', '2.1000'], '7.1000'],
    ['zero decimals', '99', [sales], 0, ['9'], '9'],
    ['large amounts stay exact', '123456789012.345678', [vat], 6, ['24691357802.469136'], '24691357802.469136'],
  ] as const)('when %s, then the taxes are as ruled', (_case, taxable, rates, decimals, amounts, total) => {
    const result = computeTaxes(taxable, [...rates], { decimals });
    expect(result.taxes.map((tax) => tax.amount)).toEqual(amounts);
    expect(result.taxTotal).toBe(total);
  });

  it('when the sum of per-line rounding would differ, then the tax is rounded once on the invoice total', () => {
    // Three lines of 0.0333 at 20 %: per line 0.0067 x 3 = 0.0201; once on 0.0999: 0.0200.
    expect(computeTaxes('0.0999', [vat], { decimals: 4 }).taxTotal).toBe('0.0200');
  });

  it.each([
    ['the account is exempt', '100', true],
    ['the invoice holds credits only', '-5', false],
    ['nothing is taxable', '0', false],
  ])('when %s, then no tax applies', (_case, taxable, exempt) => {
    expect(computeTaxes(taxable, [vat], { decimals: 4, exempt })).toEqual({ taxes: [], taxTotal: '0.0000' });
  });
});

const row = (id: number, kind: string, amount: string, fields: Partial<PeriodLedgerRow> = {}): PeriodLedgerRow => ({
  id, kind, amount, description: `${kind} ${id}`, created_at: new Date(Date.UTC(2027, 0, id)), reference_type: null,
  idempotency_key: `k${id}`, number: null, period_start: null, period_end: null, billing_days: null, billed_seconds: null, ...fields,
});

describe('buildInvoiceFigures', () => {
  const rows = [
    row(1, 'refill', '100'),
    row(2, 'setup_fee', '-5', { number: '+14155550100', reference_type: 'subscription' }),
    row(3, 'recurring_fee', '-10', { number: '+14155550100', reference_type: 'subscription', billing_days: 30, idempotency_key: 'purchase:1:x:recurring_fee' }),
    row(4, 'call_charge', '-0.7', { number: '+14155550100', billed_seconds: 60 }),
    row(5, 'call_charge', '-1.3', { number: '+14155550100', billed_seconds: 120 }),
    row(6, 'call_charge', '-0.5', { number: '+14155550199', billed_seconds: 30 }),
    row(7, 'recurring_fee', '-10', { number: '+14155550100', reference_type: 'subscription', billing_days: 30, idempotency_key: 'renewal:1:2027-01-31T00:00:00.000Z' }),
    row(8, 'adjustment', '2', { description: 'Goodwill' }),
    row(9, 'payment', '20'),
  ];

  it('when a month has fees, calls, an adjustment and money in, then lines are grouped and the balances reconcile', () => {
    const figures = buildInvoiceFigures(rows, { openingBalance: '3', taxRates: [vat], exempt: false, decimals: 4 });
    expect(figures.lines.map((line) => [line.group, line.amount, line.calls, line.minutes, line.period_start, line.period_end])).toEqual([
      ['setup_fees', '5', null, null, null, null],
      ['recurring_fees', '10', null, null, '2027-01-03', '2027-02-02'],
      ['recurring_fees', '10', null, null, '2027-01-31', '2027-03-02'],
      ['calls', '2', 2, '3.00', null, null],
      ['calls', '0.5', 1, '0.50', null, null],
      ['adjustments', '-2', null, null, null, null],
    ]);
    expect(figures).toMatchObject({ subtotal: '25.5', taxTotal: '5.1000', total: '30.6', paymentsTotal: '120', openingBalance: '3' });
    // opening + ledger rows of the period - taxes = 3 + 94.5 - 5.1
    expect(figures.closingBalance).toBe('92.4');
  });
});

describe('the period a charge covers', () => {
  const at = (iso: string) => new Date(iso);
  it.each([
    // A calendar month bought on 15 January, prorated to the billing day (the 1st): 15 to 31 January.
    ['a prorated first calendar month', 'purchase:1:k:recurring_fee', at('2027-01-15T10:30:00Z'), at('2027-02-01T00:00:00Z'), 30, '2027-01-15', '2027-01-31'],
    ['a calendar-month renewal in February', 'renewal:1:2027-02-01T00:00:00.000Z', at('2027-02-01T00:00:00Z'), at('2027-03-01T00:00:00Z'), 30, '2027-02-01', '2027-02-28'],
    ['a leap February', 'renewal:1:2028-02-01T00:00:00.000Z', at('2028-02-01T00:00:00Z'), at('2028-03-01T00:00:00Z'), 30, '2028-02-01', '2028-02-29'],
    ['an annual term from 29 February', 'purchase:1:k:recurring_fee', at('2028-02-29T09:00:00Z'), at('2029-02-28T09:00:00Z'), 365, '2028-02-29', '2029-02-27'],
    ['a 30-day term bought mid-day', 'purchase:1:k:recurring_fee', at('2027-01-15T13:45:00Z'), at('2027-02-14T13:45:00Z'), 30, '2027-01-15', '2027-02-13'],
    ['a one-time fee with no end', 'purchase:1:k:recurring_fee', at('2027-01-15T13:45:00Z'), null, 0, '2027-01-15', null],
  ] as const)('when the row is %s, then the line shows its stored period, both days included', (_case, key, start, end, billingDays, from, to) => {
    const [line] = buildInvoiceFigures([row(15, 'recurring_fee', '-5', { idempotency_key: key, period_start: start, period_end: end, billing_days: billingDays })], {
      openingBalance: '0', taxRates: [], exempt: false, decimals: 4,
    }).lines;
    expect(coveredDays(line!)).toEqual({ from, to });
  });

  it('when a release credits unused days, then its adjustment line carries those days', () => {
    const [line] = buildInvoiceFigures([row(20, 'refund', '3', { period_start: at('2027-01-21T00:00:00Z'), period_end: at('2027-02-01T00:00:00Z') })], {
      openingBalance: '0', taxRates: [], exempt: false, decimals: 4,
    }).lines;
    expect([line!.group, coveredDays(line!)]).toEqual(['adjustments', { from: '2027-01-21', to: '2027-01-31' }]);
  });
});

describe('invoicePeriod', () => {
  it.each([
    ['2027-01', 1, '2027-01-01', '2027-02-01'],
    ['2027-01', 31, '2027-01-31', '2027-02-28'],
    ['2028-02', 30, '2028-02-29', '2028-03-30'],
    ['2027-12', 15, '2027-12-15', '2028-01-15'],
  ] as const)('when the period is %s and the billing day %i, then it runs from %s to %s', (period, day, start, end) => {
    const result = invoicePeriod(period, day);
    expect([result.start.toISOString().slice(0, 10), result.end.toISOString().slice(0, 10)]).toEqual([start, end]);
  });

  it.each(['2027-13', '2027-1', 'jan'])('when the period is %s, then it is refused', (period) => {
    expect(() => invoicePeriod(period, 1)).toThrow(RangeError);
  });

  it('when the schedule looks back from a date, then it names the month before', () => {
    expect(monthBefore(new Date('2027-01-05T00:00:00Z'))).toBe('2026-12');
  });
});
