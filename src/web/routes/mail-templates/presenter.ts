// Templates as the pages list them: which events, whether each is the default or edited, and flagged.
import type { TemplateSummary } from '../../../services/mail-templates.ts';

export function presentTemplateRow({ event, spec, override }: TemplateSummary) {
  return {
    event,
    label: spec.label,
    kind: spec.security ? 'Security' : spec.optional ? 'Optional notice' : 'Receipt',
    edited: Boolean(override),
    broken: Boolean(override?.broken_at),
    brokenError: override?.broken_error ?? '',
    updatedAt: override?.updated_at ?? null,
  };
}

export function presentVariables(summary: TemplateSummary) {
  return Object.entries(summary.spec.variables).map(([name, about]) => ({ name, about, sample: summary.spec.sample[name] ?? '' }));
}
