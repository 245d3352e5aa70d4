import bcrypt from 'bcrypt';
import { describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { hashToCompare, unknownAccountHash } from '../../src/services/accounts.ts';
import { loadConfig } from '../../src/config.ts';

function costOf(hash: string): number {
  const match = /^\$2[aby]\$(\d\d)\$/.exec(hash);
  if (!match?.[1]) throw new Error(`Not a bcrypt hash: ${hash}`);
  return Number(match[1]);
}

describe('the hash an unknown email is checked against', () => {
  it.each([4, 6, 12])('when the configured cost is %i, then the dummy hash has that cost', async (cost) => {
    expect(costOf(await unknownAccountHash(cost))).toBe(cost);
  });

  it('when asked for twice, then it is made once (the same hash comes back)', async () => {
    expect(await unknownAccountHash(5)).toBe(await unknownAccountHash(5));
  });

  it("when a login finds no account, then it is checked against the dummy of the config's cost, which no password matches", async () => {
    const config = loadConfig({ BCRYPT_COST: '7' });
    const hash = await hashToCompare(undefined, config.bcryptCost);
    expect(costOf(hash)).toBe(config.bcryptCost);
    expect(await bcrypt.compare('didhub-no-such-account', hash)).toBe(false);
    expect(await bcrypt.compare('', hash)).toBe(false);
  });

  it('when a login finds the account, then it is checked against that account\'s own hash', async () => {
    const own = await bcrypt.hash('correct-horse-battery', 4);
    expect(await hashToCompare({ password_hash: own } as AccountRow, 12)).toBe(own);
  });
});
