// Phone numbers and countries as people write and read them: parsing to E.164, formatting,
// country codes and names (English).
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import countries from 'i18n-iso-countries';
import en from 'i18n-iso-countries/langs/en.json' with { type: 'json' };

countries.registerLocale(en);

/** ISO code from a code or an English name ("gb", "United Kingdom"); undefined when unknown. */
export function countryCodeOf(input: string): string | undefined {
  const value = input.trim();
  if (value === '') return undefined;
  if (/^[a-z]{2}$/i.test(value)) {
    const code = value.toUpperCase();
    return countries.isValid(code) ? code : undefined;
  }
  return countries.getAlpha2Code(value, 'en') ?? undefined;
}

/** Short common names where the ISO list has a long official one ("United States", not "United States of America"). */
const COMMON_NAMES: Readonly<Record<string, string>> = {
  US: 'United States', RU: 'Russia', IR: 'Iran', TW: 'Taiwan', TZ: 'Tanzania', MK: 'North Macedonia', PS: 'Palestine',
  MD: 'Moldova', CZ: 'Czechia', SY: 'Syria', LA: 'Laos', FM: 'Micronesia', VA: 'Vatican City', BN: 'Brunei',
};

export function countryName(code: string | null | undefined): string {
  if (!code) return '';
  return COMMON_NAMES[code.toUpperCase()] ?? countries.getName(code, 'en') ?? code;
}

/** Orders ISO codes by their English names, the way every country list and sort shows them. */
export function byCountryName(codes: Iterable<string>): string[] {
  return [...codes].sort((a, b) => countryName(a).localeCompare(countryName(b), 'en'));
}

/** Every country, by English name: the options of the country select. */
export function countryOptions(): Array<{ code: string; name: string }> {
  return Object.keys(countries.getNames('en', { select: 'official' }))
    .map((code) => ({ code, name: countryName(code) }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
}

export type ParsedNumber = { ok: true; e164: string; country: string | undefined } | { ok: false; message: string };

/**
 * A phone number as people write it (+44 20 7946 0958, +1 (415) 555-0100) to E.164. Without a
 * leading + it is read as a national number of `country`, when one is given.
 */
export function parseDidNumber(input: string, country?: string): ParsedNumber {
  const value = input.trim();
  if (value === '') return { ok: false, message: 'Enter the number' };
  if (/[a-z]/i.test(value.replace(/^tel:/i, ''))) {
    return { ok: false, message: `"${value}" is not a phone number: use digits, like +44 20 7946 0958` };
  }
  const parsed = parsePhoneNumberFromString(value, country as CountryCode | undefined);
  if (!parsed) {
    return { ok: false, message: `"${value}" is not a phone number: write it in international form, like +44 20 7946 0958` };
  }
  if (!parsed.isValid()) {
    return { ok: false, message: `${parsed.number} is not a valid number${parsed.country ? ` in ${countryName(parsed.country)}` : ''}` };
  }
  return { ok: true, e164: parsed.number, country: parsed.country };
}

/** An E.164 number as people read it: +44 20 7946 0958. */
export function formatDidNumber(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}
