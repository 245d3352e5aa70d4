// The one presentation of values on pages (src/web/presenters/format.ts), by tables of cases.
import { describe, expect, it } from 'vitest';
import { byCountryName, countryName } from '../../src/domain/phone-numbers.ts';
import { createFormatters, formatCallerHtml, formatDateTime, formatDuration, formatDurationHtml, formatPhone, formatPhoneHtml, formatProse, formatStatus, phoneCountry } from '../../src/web/presenters/format.ts';

describe('format helpers', () => {
  it.each([
    ['+14155550163', '+1 415 555 0163', 'US'],
    ['+442079460958', '+44 20 7946 0958', 'GB'],
    ['+4930123456', '+49 30 123456', 'DE'],
    ['not a number', 'not a number', ''],
    ['', '', ''],
  ])('when the number is %s, then it shows as %s in %s', (e164, shown, country) => {
    expect(formatPhone(e164)).toBe(shown);
    expect(phoneCountry(e164)).toBe(country);
  });

  it('when a number is shown as HTML, then it carries its country code and is escaped', () => {
    expect(formatPhoneHtml('+14155550163')).toBe(
      '<span class="phone" data-e164="+14155550163"><span class="cc" title="United States">US</span> <span class="digits">+1 415 555 0163</span></span>',
    );
    expect(formatPhoneHtml('<b>x</b>')).not.toContain('<b>');
  });

  it.each([
    ['+14155550163', '<span class="phone" data-e164="+14155550163"><span class="cc" title="United States">US</span> <span class="digits">+1 415 555 0163</span></span>'],
    ['1001', '1001'],
    ['14155550163', '14155550163'],
    ['anonymous', 'anonymous'],
    ['<script>', '&lt;script&gt;'],
    ['', '—'],
    [null, '—'],
  ])('when the caller ID is %s, then it shows as %s', (caller, html) => {
    expect(formatCallerHtml(caller)).toBe(html);
  });

  it('when a moment is shown, then its date and its time each stay on one line, in UTC', () => {
    expect(formatDateTime(new Date('2026-11-30T22:45:10Z'))).toBe('30\u00a0Nov\u00a02026, 22:45\u00a0UTC');
    expect(formatDateTime('2027-02-01T00:00:00+01:00')).toBe('31\u00a0Jan\u00a02027, 23:00\u00a0UTC');
    expect(formatDateTime(null)).toBe('');
  });

  it.each([
    [0, '0:00', 'PT0S', '0 seconds'],
    [1, '0:01', 'PT1S', '1 second'],
    [45, '0:45', 'PT45S', '45 seconds'],
    [60, '1:00', 'PT60S', '60 seconds'],
    [65, '1:05', 'PT65S', '65 seconds'],
    [125.4, '2:05', 'PT125S', '125 seconds'],
    [3599, '59:59', 'PT3599S', '3599 seconds'],
    [3600, '1:00:00', 'PT3600S', '3600 seconds'],
    [3723, '1:02:03', 'PT3723S', '3723 seconds'],
    [90061, '25:01:01', 'PT90061S', '90061 seconds'],
    [-5, '0:00', 'PT0S', '0 seconds'],
  ])('when the duration is %s seconds, then it shows as "%s" with the exact seconds in its title', (seconds, shown, iso, title) => {
    expect(formatDuration(seconds)).toBe(shown);
    expect(formatDurationHtml(seconds)).toBe(`<time class="duration" datetime="${iso}" title="${title}">${shown}</time>`);
  });

  it.each([null, undefined, Number.NaN, Number.POSITIVE_INFINITY])('when the duration is %s, then nothing is shown', (seconds) => {
    expect(formatDuration(seconds)).toBe('');
    expect(formatDurationHtml(seconds)).toBe('');
  });

  it.each([
    ['active', 'Active'], ['past_due', 'Past due'], ['SUSPENDED', 'Suspended'], ['one_time', 'One time'], [null, ''],
  ])('when the status is %s, then it shows as "%s"', (status, shown) => {
    expect(formatStatus(status)).toBe(shown);
  });

  it.each([
    ['Setup fee for +14155550163', 'Setup fee for +1 415 555 0163'],
    ['First period (30 days) for +442079460958', 'First period (30 days) for +44 20 7946 0958'],
    ['Manual payment', 'Manual payment'],
  ])('when a ledger text is "%s", then its numbers are grouped: "%s"', (text, shown) => {
    expect(formatProse(text)).toBe(shown);
  });

  it.each([
    [4, 'USD', '0.0120', '$0.0120'],
    [4, 'USD', '0.010625', '$0.0106'],
    [4, 'USD', '1234.5', '$1,234.5000'],
    [2, 'EUR', '0.00625', '€0.01'],
    [4, 'USD', '-818.75', '-$818.7500'],
  ])('when MONEY_DECIMALS is %s in %s, then the rate or amount %s shows as %s', (decimals, currency, stored, shown) => {
    const format = createFormatters({ moneyDecimals: decimals, currency });
    expect(format.rate(stored)).toBe(shown);
    expect(format.money(stored)).toBe(shown);
  });

  it.each([
    ['US', 'United States'], ['GB', 'United Kingdom'], ['UM', 'United States Minor Outlying Islands'], ['DE', 'Germany'],
  ])('when the country is %s, then its name is %s', (code, name) => {
    expect(countryName(code)).toBe(name);
  });

  it('when countries are listed, then they are in name order with United States before its outlying islands', () => {
    expect(byCountryName(['UM', 'US', 'DE', 'GB'])).toEqual(['DE', 'GB', 'US', 'UM']);
  });
});
