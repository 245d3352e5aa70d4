import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('settings', () => {
  it('when nothing is set, then the defaults apply', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, databaseUrl: undefined, currency: 'USD', moneyDecimals: 4, bcryptCost: 12, seedDemo: true });
    expect(config.dataDir).toMatch(/\/data$/);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('when settings are given, then they are parsed into their types', () => {
    const config = loadConfig({ PORT: '8080', DATABASE_URL: 'postgres://u@h:5432/d', MONEY_DECIMALS: '6', SEED_DEMO: 'false', SECURE_COOKIES: 'yes' });
    expect(config).toMatchObject({ port: 8080, databaseUrl: 'postgres://u@h:5432/d', moneyDecimals: 6, seedDemo: false, secureCookies: true });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ MONEY_DECIMALS: '7' }, 'MONEY_DECIMALS'],
    [{ CURRENCY: 'dollars' }, 'CURRENCY'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ SEED_DEMO: 'maybe' }, 'SEED_DEMO'],
    [{ NODE_ENV: 'production' }, 'SESSION_SECRET'],
  ])('when %o is set, then starting fails naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });

  it('when an empty variable is set, then it counts as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });
});
