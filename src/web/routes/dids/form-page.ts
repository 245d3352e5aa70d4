// The DID create and edit form, shown first and again with its errors; a chosen rate plan's terms
// replace the typed ones.
import type { Response } from 'express';
import { previewCosts } from '../../../domain/cost-preview.ts';
import { countryOptions, formatDidNumber } from '../../../domain/did-terms.ts';
import { listProviderNames } from '../../../db/repos/providers.ts';
import { listDidFormPlans, resolveDidFormPlan } from '../../../services/did-form-plans.ts';
import { renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { fieldInfo } from './presenter.ts';

export interface DidFormOptions {
  mode: 'new' | 'edit';
  values: Record<string, string>;
  errors?: Record<string, string> | undefined;
  didId?: number | undefined;
  number?: string | undefined;
  liveSubscriptions?: number | undefined;
  currentPlanId?: number | null | undefined;
}

export function didFormPage({ db, config, now }: AppContext) {
  const previewOptions = { decimals: config.moneyDecimals, currency: config.currency };
  const countries = countryOptions();

  async function renderForm(res: Response, options: DidFormOptions, status = 200) {
    await renderPage(
      res,
      'admin/dids/form',
      {
        title: options.mode === 'new' ? 'Create DID' : `Edit ${formatDidNumber(options.number ?? '')}`,
        mode: options.mode,
        didId: options.didId,
        number: options.number ? formatDidNumber(options.number) : '',
        liveSubscriptions: options.liveSubscriptions ?? 0,
        values: options.values,
        fieldErrors: options.errors ?? {},
        fields: fieldInfo(),
        providers: await listProviderNames(db),
        countries,
        preview: previewCosts(options.values, previewOptions),
        previewOptions,
        ratePlans: await listDidFormPlans(db, now(), options.currentPlanId),
      },
      status,
    );
  }

  /** A chosen rate plan's terms replace the typed ones: the form shows them read-only. */
  async function withRatePlan(values: Record<string, string>, currentPlanId?: number | null) {
    const plan = await resolveDidFormPlan(db, values.rate_plan, now(), currentPlanId);
    if (!plan.ok) return { values, planId: undefined, error: plan.error };
    const terms = plan.terms ? Object.fromEntries(Object.entries(plan.terms).map(([key, value]) => [key, String(value)])) : {};
    return { values: { ...values, ...terms }, planId: plan.planId, error: undefined };
  }

  return { renderForm, withRatePlan, previewOptions, countries };
}
