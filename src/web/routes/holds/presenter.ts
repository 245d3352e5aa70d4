// A hold as "My holds" shows it: its numbers, each with the link to its Buy DIDs page and the prices
// locked for it (none on holds made before holds locked prices), its times, and where Release posts.
import type { HoldView } from '../../../services/number-holds.ts';

export function presentHold(hold: HoldView, base: string) {
  return {
    id: hold.id,
    releaseAction: `${base}/holds/${hold.id}/release`,
    items: hold.items.map((item) => ({
      number: item.number,
      buyHref: `${base}/buy/${item.product_id}`,
      lockedPrices: item.setup_fee !== null && item.monthly_fee !== null ? { setupFee: item.setup_fee, monthlyFee: item.monthly_fee } : null,
    })),
    heldSince: hold.created_at,
    until: hold.expires_at,
  };
}

export type PresentedHold = ReturnType<typeof presentHold>;
