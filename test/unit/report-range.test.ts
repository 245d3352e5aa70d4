import { describe, expect, it } from 'vitest';
import { daysOf, defaultReportRange, reportRange, wholeMonthOf } from '../../src/domain/report-range.ts';
import { groupLabel } from '../../src/web/routes/reports/presenter.ts';

const NOW = new Date('2026-03-01T23:30:00Z');

describe('the dates a report covers', () => {
  it.each([
    ['day', {}, { from: '2026-01-31', to: '2026-03-01' }],
    ['number', {}, { from: '2026-03-01', to: '2026-03-31' }],
    ['number', { month: '2024-02' }, { from: '2024-02-01', to: '2024-02-29' }],
    ['number', { month: '2025-12', from: '2026-01-01', to: '2026-01-10' }, { from: '2025-12-01', to: '2025-12-31' }],
    ['number', { from: '2025-11-20', to: '2026-01-10' }, { from: '2026-01-01', to: '2026-01-31' }],
    ['number', { from: '2025-11-20' }, { from: '2025-11-01', to: '2025-11-30' }],
    ['month', {}, { from: '2025-04-01', to: '2026-03-01' }],
    ['day', { from: '2026-02-10' }, { from: '2026-02-10', to: '2026-03-01' }],
    ['day', { from: '2026-04-10' }, { from: '2026-04-10', to: '2026-04-10' }],
    ['day', { to: '2026-02-15' }, { from: '2026-01-17', to: '2026-02-15' }],
    ['month', { to: '2025-12-31' }, { from: '2025-01-01', to: '2025-12-31' }],
    ['country', { from: '2026-01-01', to: '2026-01-31' }, { from: '2026-01-01', to: '2026-01-31' }],
  ] as const)('when the %s report is asked for %j, then it covers %j', (report, asked, expected) => {
    expect(reportRange(NOW, report, asked)).toEqual(expected);
  });

  it.each([
    [{ from: '2026-02-01', to: '2026-02-28' }, '2026-02-01'],
    [{ from: '2024-02-01', to: '2024-02-29' }, '2024-02-01'],
    [{ from: '2026-02-01', to: '2026-02-27' }, null],
    [{ from: '2026-02-02', to: '2026-02-28' }, null],
    [{ from: '2026-01-01', to: '2026-02-28' }, null],
  ] as const)('when the range is %j, then the whole month it is is %s', (range, expected) => {
    expect(wholeMonthOf(range)).toBe(expected);
  });

  it('when nothing is asked on the first of January, then the per-month report starts on the first of February the year before', () => {
    expect(defaultReportRange(new Date('2027-01-01T00:00:00Z'), 'month')).toEqual({ from: '2026-02-01', to: '2027-01-01' });
  });
});

describe('the days of a range', () => {
  it.each([
    ['2026-11-28', '2026-12-02', ['2026-11-28', '2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02']],
    ['2028-02-28', '2028-03-01', ['2028-02-28', '2028-02-29', '2028-03-01']],
    ['2026-11-05', '2026-11-05', ['2026-11-05']],
    ['2026-11-06', '2026-11-05', []],
  ])('when the range is %s to %s, then its days are each day, both ends included', (from, to, days) => {
    expect(daysOf({ from, to })).toEqual(days);
  });
});

describe('a report group\'s name', () => {
  it.each([
    ['reseller', { key: 'direct', label: null }, 'Direct customers'],
    ['reseller', { key: '12', label: 'Acme Voice' }, 'Acme Voice'],
    ['provider', { key: '0', label: null }, 'No provider'],
    ['provider', { key: '3', label: 'Carrier One' }, 'Carrier One'],
    ['country', { key: 'US', label: null }, 'United States (US)'],
    ['country', { key: '', label: null }, 'Unknown'],
    ['number', { key: '7', label: '+14155550163' }, '+1 415 555 0163'],
    ['day', { key: '2026-11-03', label: null }, '2026-11-03'],
    ['month', { key: '2026-11', label: null }, '2026-11'],
  ] as const)('when the %s report has the group %j, then it reads %s', (report, row, expected) => {
    expect(groupLabel(report, row)).toBe(expected);
  });
});
