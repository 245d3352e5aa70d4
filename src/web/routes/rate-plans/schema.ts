// The query strings and forms of the rate plan pages. The plan form itself (terms or markup, the
// moment it starts) is parsed by the rate plans service, which checks it against the stored plan.
import { z } from 'zod';
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
