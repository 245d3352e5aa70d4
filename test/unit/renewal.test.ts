// The renewal decisions of a billing run, without a database: tables of cases.
import { describe, expect, it } from 'vitest';
import { planRenewal, releaseDueAt, type RenewalSubject } from '../../src/domain/renewal.ts';

const at = (iso: string) => new Date(iso);
const recurring = (fields: Partial<RenewalSubject> = {}): RenewalSubject => ({
  status: 'active', billingType: 'recurring', billingDays: 30, price: '2.50', nextBillingAt: at('2027-03-02T00:00:00Z'), suspendedAt: null, ...fields,
});
const full = (now: string, graceDays = 7) => ({ now: at(now), graceDays, mode: 'full' as const });

describe('planRenewal', () => {
  it('when nothing is due yet, then nothing happens', () => {
    const plan = planRenewal(recurring(), '100', full('2027-03-01T23:59:59Z'));
    expect(plan).toMatchObject({ steps: [], status: 'active', nextBillingAt: at('2027-03-02T00:00:00Z'), charged: '0' });
  });

  it('when a period is due and paid for, then it is charged once and the next date moves on by the billing days', () => {
    const plan = planRenewal(recurring(), '10', full('2027-03-02T00:00:00Z'));
    expect(plan.steps).toEqual([{ kind: 'renewed', periodStart: at('2027-03-02T00:00:00Z'), periodEnd: at('2027-04-01T00:00:00Z'), amount: '2.5' }]);
    expect(plan).toMatchObject({ status: 'active', nextBillingAt: at('2027-04-01T00:00:00Z'), fundsAfter: '7.5', charged: '2.5' });
  });

  it.each([
    ['100', 3, 'active', '2027-05-31T00:00:00Z'],
    ['5', 2, 'suspended', '2027-05-01T00:00:00Z'],
    ['2.49', 0, 'suspended', '2027-03-02T00:00:00Z'],
  ] as const)('when 3 periods were missed and the funds are %s, then %i are charged in order and it ends %s', (funds, charged, status, next) => {
    const plan = planRenewal(recurring(), funds, full('2027-05-20T00:00:00Z'));
    const renewed = plan.steps.filter((s) => s.kind === 'renewed');
    expect(renewed.map((s) => s.periodStart.toISOString())).toEqual(
      ['2027-03-02T00:00:00.000Z', '2027-04-01T00:00:00.000Z', '2027-05-01T00:00:00.000Z'].slice(0, charged),
    );
    expect(plan.status).toBe(status);
    expect(plan.nextBillingAt).toEqual(at(next));
  });

  it('when the funds fall short, then it is suspended at the run time, charging nothing', () => {
    const plan = planRenewal(recurring(), '2.4999', full('2027-03-02T06:00:00Z'));
    expect(plan.steps).toEqual([{ kind: 'suspended', periodStart: at('2027-03-02T00:00:00Z'), amount: '2.5' }]);
    expect(plan).toMatchObject({ status: 'suspended', suspendedAt: at('2027-03-02T06:00:00Z'), charged: '0', nextBillingAt: at('2027-03-02T00:00:00Z') });
  });

  it.each([
    ['2027-03-09T05:59:59Z', 'suspended'],
    ['2027-03-09T06:00:00Z', 'ended'],
  ] as const)('when a suspended subscription is still unpaid at %s (grace of 7 days), then it is %s', (now, status) => {
    const plan = planRenewal(recurring({ status: 'suspended', suspendedAt: at('2027-03-02T06:00:00Z') }), '0', full(now));
    expect(plan.status).toBe(status);
    expect(plan.steps.map((s) => s.kind)).toEqual(status === 'ended' ? ['released'] : []);
  });

  it('when the grace period is 0, then an unpaid renewal is released at once', () => {
    expect(planRenewal(recurring(), '0', full('2027-03-02T00:00:00Z', 0)).steps.map((s) => s.kind)).toEqual(['suspended', 'released']);
  });

  it('when a suspended subscription can be paid again, then it is reactivated and renewed', () => {
    const plan = planRenewal(recurring({ status: 'suspended', suspendedAt: at('2027-03-02T06:00:00Z') }), '3', full('2027-03-05T00:00:00Z'));
    expect(plan.steps.map((s) => s.kind)).toEqual(['reactivated', 'renewed']);
    expect(plan).toMatchObject({ status: 'active', suspendedAt: null });
  });

  it('when only charging (a retry after a payment), then what cannot be paid is neither suspended nor released', () => {
    const policy = { now: at('2027-04-01T00:00:00Z'), graceDays: 7, mode: 'charge_only' as const };
    expect(planRenewal(recurring(), '1', policy)).toMatchObject({ steps: [], status: 'active' });
    expect(planRenewal(recurring({ status: 'suspended', suspendedAt: at('2027-03-02T00:00:00Z') }), '1', policy)).toMatchObject({ steps: [], status: 'suspended' });
  });

  it('when a one-time subscription reaches its end, then it expires without a charge; with no end date it is never due', () => {
    const oneTime = recurring({ billingType: 'one_time', billingDays: 10, nextBillingAt: at('2027-03-11T00:00:00Z') });
    expect(planRenewal(oneTime, '0', full('2027-03-11T00:00:00Z'))).toMatchObject({ status: 'ended', charged: '0', steps: [{ kind: 'expired' }] });
    expect(planRenewal({ ...oneTime, billingDays: 0, nextBillingAt: null }, '0', full('2099-01-01T00:00:00Z'))).toMatchObject({ status: 'active', steps: [] });
  });

  it('when the price is 0, then each period renews with nothing charged, whatever the funds', () => {
    const plan = planRenewal(recurring({ price: '0' }), '-5', full('2027-04-15T00:00:00Z'));
    expect(plan.steps.map((s) => s.kind)).toEqual(['renewed', 'renewed']);
    expect(plan.charged).toBe('0');
  });

  it('when amounts are large or fine-grained, then they stay exact', () => {
    const plan = planRenewal(recurring({ price: '1234567.000001' }), '2469134.000002', full('2027-04-01T00:00:00Z'));
    expect(plan).toMatchObject({ charged: '2469134.000002', fundsAfter: '0' });
  });

  it('when the grace days are negative, then it refuses', () => {
    expect(() => planRenewal(recurring(), '0', full('2027-03-02T00:00:00Z', -1))).toThrow(RangeError);
  });
});

describe('releaseDueAt', () => {
  it('when a subscription was suspended, then it is released the grace days later, to the second', () => {
    expect(releaseDueAt(at('2027-01-31T10:15:00Z'), 7)).toEqual(at('2027-02-07T10:15:00Z'));
  });
});
