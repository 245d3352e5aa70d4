// The settings every acquisition prices with: RESELLER_DEFAULT_MARKUP_PERCENT and MONEY_DECIMALS.
import type { PricingSettings } from '../../../services/acquisition.ts';
import type { AppContext } from '../../context.ts';

export function pricingOf(context: AppContext): PricingSettings {
  return { markupPercent: context.config.resellerDefaultMarkupPercent, decimals: context.config.moneyDecimals };
}
