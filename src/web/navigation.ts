import type { Role } from '../db/repos/accounts.ts';

export interface NavItem {
  label: string;
  href: string;
}

/** Each role's menu: only pages that exist. Capabilities add their entries here. */
export const navigation: Record<Role, NavItem[]> = {
  admin: [
    { label: 'Dashboard', href: '/admin' },
    { label: 'Accounts', href: '/admin/accounts' },
    { label: 'DIDs', href: '/admin/dids' },
    { label: 'Providers', href: '/admin/providers' },
    { label: 'Rate plans', href: '/admin/rate-plans' },
    { label: 'Calls', href: '/admin/calls' },
    { label: 'Reports', href: '/admin/reports' },
    { label: 'Switches', href: '/admin/switches' },
    { label: 'Rejected CDRs', href: '/admin/rejected-cdrs' },
    { label: 'Expired reservations', href: '/admin/expired-reservations' },
    { label: 'Billing runs', href: '/admin/billing-runs' },
    { label: 'Audit log', href: '/admin/audit' },
    { label: 'Outbox', href: '/admin/outbox' },
    { label: 'Mail templates', href: '/admin/mail-templates' },
    { label: 'Webhooks', href: '/admin/webhooks' },
    { label: 'Payments', href: '/admin/payments' },
    { label: 'API keys', href: '/account/api-keys' },
    { label: 'Invoices', href: '/admin/invoices' },
    { label: 'Company & taxes', href: '/admin/company' },
  ],
  reseller: [
    { label: 'Dashboard', href: '/reseller' },
    { label: 'Buy DIDs', href: '/reseller/buy' },
    { label: 'My DIDs', href: '/reseller/dids' },
    { label: 'Rate plans', href: '/reseller/rate-plans' },
    { label: 'Customers', href: '/reseller/customers' },
    { label: 'Transactions', href: '/reseller/transactions' },
    { label: 'Calls', href: '/reseller/calls' },
    { label: 'Reports', href: '/reseller/reports' },
    { label: 'Mail templates', href: '/reseller/mail-templates' },
    { label: 'Webhooks', href: '/reseller/webhooks' },
    { label: 'Payments', href: '/reseller/payments' },
    { label: 'My holds', href: '/reseller/holds' },
    { label: 'API keys', href: '/account/api-keys' },
    { label: 'Invoices', href: '/reseller/invoices' },
    { label: 'Company', href: '/reseller/company' },
  ],
  customer: [
    { label: 'Dashboard', href: '/customer' },
    { label: 'Buy DIDs', href: '/customer/buy' },
    { label: 'My numbers', href: '/customer/numbers' },
    { label: 'Transactions', href: '/customer/transactions' },
    { label: 'Calls', href: '/customer/calls' },
    { label: 'Webhooks', href: '/customer/webhooks' },
    { label: 'Payments', href: '/customer/payments' },
    { label: 'My holds', href: '/customer/holds' },
    { label: 'API keys', href: '/account/api-keys' },
    { label: 'Invoices', href: '/customer/invoices' },
    { label: 'Billing details', href: '/customer/company' },
  ],
};
