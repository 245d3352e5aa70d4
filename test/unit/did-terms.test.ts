import { describe, expect, it } from 'vitest';
import { countryCodeOf, fieldForHeader, parseDidTerms, type DidInput } from '../../src/domain/did-terms.ts';
import { previewCosts } from '../../src/domain/cost-preview.ts';

const VALID: DidInput = {
  number: '+44 20 7946 0958', provider: '3', country: '', city: 'London', province: 'England', buy_cost: '0.90', status: 'active',
  connection_cost: '0.01', grace_seconds: '5', cost_per_minute: '0.012', initial_increment: '60', increment: '60', setup_fee: '2',
  monthly_fee: '2.50', call_timeout: '30', billing_type: 'recurring', billing_days: '30', concurrent_calls: '10',
};

function errorsOf(changes: DidInput, empty: 'default' | 'required' = 'required') {
  const result = parseDidTerms({ ...VALID, ...changes }, { empty });
  return result.ok ? {} : result.errors;
}

describe('a DID number', () => {
  it.each([
    ['+44 20 7946 0958', '+442079460958', 'GB'],
    ['+1 (415) 555-0100', '+14155550100', 'US'],
    ['+1 613 555 0120', '+16135550120', 'CA'],
    ['+33 4 91 12 34 50', '+33491123450', 'FR'],
  ])('when it is written as %s, then it is stored as %s and its country is %s', (written, e164, country) => {
    const result = parseDidTerms({ ...VALID, number: written }, { empty: 'required' });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.terms.number).toBe(e164);
      expect(result.terms.country).toBe(country);
    }
  });

  it('when it has no + and a country is chosen, then it is read as a national number of that country', () => {
    const result = parseDidTerms({ ...VALID, number: '020 7946 0958', country: 'GB' }, { empty: 'required' });
    expect(result.ok && result.terms.number).toBe('+442079460958');
  });

  it.each([
    ['', 'Enter the number'],
    ['hello', 'is not a phone number'],
    ['+1 555 01', 'is not a valid number'],
    ['+44 20 7946', 'is not a valid number'],
  ])('when it is "%s", then the number field says "%s"', (number, message) => {
    expect(errorsOf({ number }).number).toContain(message);
  });

  it('when the country disagrees with the number, then the country field says so', () => {
    expect(errorsOf({ country: 'FR' }).country).toBe('+442079460958 is a number of United Kingdom, not France');
  });

  it('when the country is a default for a whole file, then a number of another country keeps its own', () => {
    const result = parseDidTerms({ ...VALID, country: '' }, { empty: 'default', defaultCountry: 'US' });
    expect(result.ok && result.terms.country).toBe('GB');
  });

  it('when the country is an unknown name, then it is a field error; names and codes both work', () => {
    expect(errorsOf({ country: 'Atlantis' }).country).toContain('is not a country');
    expect(countryCodeOf('United Kingdom')).toBe('GB');
    expect(countryCodeOf('gb')).toBe('GB');
  });
});

describe('amounts, seconds and billing', () => {
  it.each(['buy_cost', 'connection_cost', 'cost_per_minute', 'setup_fee', 'monthly_fee'] as const)(
    'when %s is negative, has 7 decimals, or is not a number, then each has its message',
    (field) => {
      expect(errorsOf({ [field]: '-1' })[field]).toBe('Must not be negative');
      expect(errorsOf({ [field]: '0.1234567' })[field]).toBe('Use at most 6 decimals');
      expect(errorsOf({ [field]: '1,50' })[field]).toContain('is not an amount');
      expect(errorsOf({ [field]: '0.123456' })[field]).toBeUndefined();
    },
  );

  it.each(['grace_seconds', 'initial_increment', 'increment', 'call_timeout', 'concurrent_calls'] as const)(
    'when %s is negative or fractional, then it is refused',
    (field) => {
      expect(errorsOf({ [field]: '-5' })[field]).toBe('Must not be negative');
      expect(errorsOf({ [field]: '1.5' })[field]).toContain('whole number');
      expect(errorsOf({ [field]: '0' })[field]).toBeUndefined();
    },
  );

  it('when billing is recurring, then billing days must be at least 1; one time allows 0', () => {
    expect(errorsOf({ billing_type: 'recurring', billing_days: '0' }).billing_days).toBe('A recurring number needs at least 1 billing day');
    expect(errorsOf({ billing_type: 'one_time', billing_days: '0' }).billing_days).toBeUndefined();
  });

  it('when status or billing type are unknown, then they are field errors', () => {
    expect(errorsOf({ status: 'sold' }).status).toContain('is not a status');
    expect(errorsOf({ billing_type: 'weekly' }).billing_type).toContain('is not a billing type');
  });

  it('when a form field is empty, then it is an error; in a CSV row it takes the default', () => {
    expect(errorsOf({ monthly_fee: '' }).monthly_fee).toBe('Enter an amount (0 for none)');
    const row = parseDidTerms({ number: '+442079460958' }, { empty: 'default' });
    expect(row.ok && row.terms).toMatchObject({ monthly_fee: '0.000000', increment: 60, billing_type: 'recurring', billing_days: 30, status: 'active' });
  });

  it('when every field is wrong, then every field has its own message at once', () => {
    const errors = errorsOf({ number: 'x', buy_cost: '-1', grace_seconds: 'a', billing_days: '-2', status: '?' });
    expect(Object.keys(errors).sort()).toEqual(['billing_days', 'buy_cost', 'grace_seconds', 'number', 'status']);
  });

  it('when valid, then amounts are stored with 6 decimals and seconds as integers', () => {
    const result = parseDidTerms(VALID, { empty: 'required' });
    expect(result.ok && result.terms).toMatchObject({ cost_per_minute: '0.012000', grace_seconds: 5, province: 'England', concurrent_calls: 10 });
  });
});

describe('CSV headers', () => {
  it.each([
    ['DID', 'number'], ['number', 'number'], ['Cost per minute', 'cost_per_minute'], ['cost_per_minute', 'cost_per_minute'],
    ['Grace Time (Sec.)', 'grace_seconds'], ['Concurrent Calls', 'concurrent_calls'], ['Billing Days', 'billing_days'],
  ])('when a header says "%s", then it is the %s column', (header, field) => {
    expect(fieldForHeader(header)).toBe(field);
  });

  it('when a header matches nothing, then it is not a field', () => {
    expect(fieldForHeader('favourite colour')).toBeUndefined();
  });
});

describe('the cost preview', () => {
  it('when terms are those of BILLING.md, then calls of 30 s, 60 s, 125 s and 1 h cost what the rating engine says', () => {
    const preview = previewCosts(
      { connection_cost: '0.10', grace_seconds: '10', cost_per_minute: '0.60', initial_increment: '60', increment: '6' },
      { decimals: 4, currency: 'USD' },
    );
    expect(preview.ok).toBe(true);
    if (!preview.ok) return;
    expect(preview.rows.map((row) => [row.durationSeconds, row.billedSeconds, row.cost])).toEqual([
      [30, 60, '$0.7000'], [60, 60, '$0.7000'], [125, 120, '$1.3000'], [3600, 3594, '$36.0400'],
    ]);
    expect(preview.rows[2]!.breakdown).toBe('$0.1000 connection + 10 s free + first 60 s $0.6000 + 10 × 6 s $0.6000; 120 s billed at $0.6000/min');
  });

  it.each([
    ['cost_per_minute', '-1', 'Cost per minute'],
    ['cost_per_minute', 'abc', 'Cost per minute'],
    ['connection_cost', '1,5', 'Connection Cost'],
    ['grace_seconds', '2.5', 'Grace Time (Sec.)'],
    ['increment', '-6', 'Increment'],
  ])('when %s is "%s", then the preview names the field and defers to its message, adding no reason of its own', (field, value, label) => {
    const terms = { connection_cost: '0', grace_seconds: '0', cost_per_minute: '0.01', initial_increment: '60', increment: '60', [field]: value };
    expect(previewCosts(terms, { decimals: 4, currency: 'USD' })).toEqual({ ok: false, field, message: `Costs show once ${label} is valid.` });
  });
});
