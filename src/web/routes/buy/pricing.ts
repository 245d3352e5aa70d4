// The settings every acquisition prices with: RESELLER_DEFAULT_MARKUP_PERCENT, MONEY_DECIMALS and PRORATE_FIRST_PERIOD.
import type { PricingSettings } from '../../../services/acquisition.ts';
import type { ReleaseCreditSettings } from '../../../services/release-credits.ts';
import type { AppContext } from '../../context.ts';

export function pricingOf(context: AppContext): PricingSettings {
  return { markupPercent: context.config.resellerDefaultMarkupPercent, decimals: context.config.moneyDecimals, prorateFirstPeriod: context.config.prorateFirstPeriod };
}

/** Whether a release mid-period credits the unused days (CREDIT_UNUSED_DAYS_ON_RELEASE), and their rounding. */
export function releaseCreditOf(context: AppContext): ReleaseCreditSettings {
  return { creditUnusedDays: context.config.creditUnusedDaysOnRelease, decimals: context.config.moneyDecimals };
}
