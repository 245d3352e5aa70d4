// The query strings and forms of the rate plan pages. The plan form itself (terms or markup, the
// moment it starts) is parsed by parsePlanForm for the plan's kind: a new plan's from the form, a
// changed plan's from the stored plan (so after it is loaded, not by validate() alone).
import { z } from 'zod';
import { parseRateTermFields } from '../../../domain/did-terms.ts';
import { parsePlanMarkup, type PlanKind, type PlanMarkup, type PlanTerms } from '../../../domain/rate-plans.ts';
import type { PlanFieldErrors, PlanFormData } from '../../../services/rate-plans.ts';
import { lenientFilter } from '../../forms/fields.ts';
import { formValues, idText } from '../../middleware/validate.ts';
import { didFilterSchema } from '../dids/schema.ts';

const pathLikeId = z.string().regex(/^\d{1,15}$/).transform(Number);

export const listQuerySchema = z.object({
  q: lenientFilter(z.string().trim().max(80)),
  archived: lenientFilter(z.enum(['hide', 'include', 'only'])),
  page: lenientFilter(z.coerce.number().int().min(1).max(100_000)),
});

/** The plan form as typed, kept whole for the service and for showing it again. */
export const planFormSchema = z.looseObject({}).transform(formValues);

const MAX_NAME = 80;
const MAX_DESCRIPTION = 500;

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/**
 * A datetime-local value ("2026-12-01T00:00") read as UTC, the zone every page shows. Undefined
 * when it is not a date.
 */
export function parseEffectiveAt(value: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!match) return undefined;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6] ?? 0)));
  return Number.isNaN(date.getTime()) || date.getUTCMonth() !== Number(match[2]) - 1 ? undefined : date;
}

/** The plan form: name, description, the terms (or the markup) and when they take effect. */
export function parsePlanForm(
  input: Record<string, unknown>,
  options: { kind: PlanKind; now: Date; withName: boolean },
): { ok: true; data: PlanFormData } | { ok: false; errors: PlanFieldErrors } {
  const errors: PlanFieldErrors = {};
  const name = text(input.name);
  if (options.withName) {
    if (name === '') errors.name = 'Enter the plan’s name';
    else if (name.length > MAX_NAME) errors.name = `Use at most ${MAX_NAME} characters`;
  }
  const description = text(input.description);
  if (description.length > MAX_DESCRIPTION) errors.description = `Use at most ${MAX_DESCRIPTION} characters`;

  let terms: PlanTerms | undefined;
  let markup: PlanMarkup | undefined;
  if (options.kind === 'absolute') {
    const parsed = parseRateTermFields(input);
    if (parsed.ok) terms = parsed.terms;
    else Object.assign(errors, parsed.errors);
  } else {
    const parsed = parsePlanMarkup(input);
    if (parsed.ok) markup = parsed.markup;
    else Object.assign(errors, parsed.errors);
  }

  let effectiveFrom = options.now;
  if (text(input.effective) === 'later') {
    const at = parseEffectiveAt(text(input.effective_at));
    if (!at) errors.effective_at = 'Enter the date and time (UTC) the new terms start, like 2026-12-01 00:00';
    else if (at.getTime() <= options.now.getTime()) errors.effective_at = 'Choose a moment in the future, or “now”';
    else effectiveFrom = at;
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, data: { name, description, kind: options.kind, terms, markup, effectiveFrom } };
}

/** Ticked ids of a list: one or many, anything that is not an id left out. */
const idList = z.preprocess((raw) => {
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return [...new Set(list.map(idText).filter((id): id is number => id !== undefined && id > 0))];
}, z.array(z.number()));

// ---- A reseller applies its plans --------------------------------------------------------------

/** The margin of one number on a plan, before applying it: either may be missing or foreign. */
export const applyOneQuerySchema = z.object({
  product_id: pathLikeId.optional().catch(undefined),
  plan: pathLikeId.optional().catch(undefined),
});

export const applyOneFormSchema = z.object({
  product_id: pathLikeId,
  /** Empty: back to the number's own sell terms. */
  plan: z.preprocess((value) => (value === '' || value === undefined ? null : value), pathLikeId.nullable()),
  back: z.string().optional().catch(undefined),
});

export const applyFormSchema = z
  .object({ scope: z.string().optional().catch(undefined), ids: idList })
  .transform((form) => (form.scope === 'all' ? ('all' as const) : form.ids));

// ---- The admin puts its numbers on a plan ----------------------------------------------------

/** A plan of the admin's, or "custom": the numbers' own terms (null). */
const planChoice = z.preprocess((value) => (value === 'custom' ? null : idText(value)), z.number().nullable().optional());

/** The numbers chosen: those ticked in the DID list, or every number its filters match. */
export const selectionSchema = didFilterSchema.extend({ ids: idList, plan: planChoice });

export const assignFormSchema = selectionSchema.refine((form) => form.plan !== undefined, {
  path: ['plan'],
  message: 'Choose a rate plan, or the numbers’ own terms',
});

/** A page number out of range is the nearest page, not an error. */
export const numbersQuerySchema = z.object({ page: z.preprocess((value) => Math.max(1, Math.min(100_000, Number(value) || 1)), z.number()) });
