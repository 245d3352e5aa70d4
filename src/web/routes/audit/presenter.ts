// An audit log row as the page shows it: presentAudit's readable diff (labels, values), the
// action in words, and the entity it changed with a link to its page where there is one.
import type { AuditLogRow } from '../../../db/queries/audit-log.ts';
import { presentAudit } from '../../presenters/dids.ts';

const ENTITY_LABELS: Record<string, string> = {
  did: 'DID',
  product: 'DID',
  account: 'Account',
  provider: 'Provider',
  rate_plan: 'Rate plan',
  switch: 'Switch',
  setting: 'Setting',
};

const ENTITY_PAGES: Record<string, string> = {
  did: '/admin/dids',
  product: '/admin/dids',
  account: '/admin/accounts',
  provider: '/admin/providers',
  rate_plan: '/admin/rate-plans',
};

export function entityLabel(type: string): string {
  return ENTITY_LABELS[type] ?? type.replace(/_/g, ' ');
}

/** "ledger.payment" → "Ledger: payment", when presentAudit has no words for an action. */
export function actionLabel(action: string): string {
  const [head, ...rest] = action.split('.');
  const words = (text: string) => text.replace(/_/g, ' ');
  const first = words(head ?? action);
  return rest.length === 0 ? first : `${first.charAt(0).toUpperCase()}${first.slice(1)}: ${words(rest.join('.'))}`;
}

export function presentAuditLogRow(row: AuditLogRow) {
  const presented = presentAudit(row);
  const base = ENTITY_PAGES[row.entity_type];
  return {
    ...presented,
    label: presented.label === row.action ? actionLabel(row.action) : presented.label,
    entity: {
      label: `${entityLabel(row.entity_type)}${row.entity_id === null ? '' : ` #${row.entity_id}`}`,
      href: base && row.entity_id !== null ? `${base}/${row.entity_id}` : null,
    },
  };
}
