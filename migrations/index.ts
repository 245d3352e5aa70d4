// A static list of migrations, so knex never has to load .ts files by path (which fails under
// vitest and plain node). Add each new migration here, in order.
import type { Knex } from 'knex';
import * as createAccounts from './20261129120000_create_accounts.ts';
import * as createProvidersAndProducts from './20261129120100_create_providers_and_products.ts';
import * as createSubscriptionsAndResellerPrices from './20261129120200_create_subscriptions_and_reseller_prices.ts';
import * as createLedgerAndAuditLog from './20261129120300_create_ledger_and_audit_log.ts';
import * as createSessions from './20261129120400_create_sessions.ts';
import * as addSubscriptionPurchaseKey from './20261129130500_add_subscription_purchase_key.ts';
import * as addInventoryIndexesAndImports from './20261129131500_add_inventory_indexes_and_imports.ts';
import * as createCallsAndSwitches from './20261129140000_create_calls_and_switches.ts';
import * as createBillingRuns from './20261129150000_create_billing_runs.ts';
import * as createRatePlans from './20261129160000_create_rate_plans.ts';
import * as createDidCounts from './20261129170000_create_did_counts.ts';
import * as dropCallSlotForeignKeys from './20261129180000_drop_call_slot_foreign_keys.ts';
import * as addLedgerBillingRun from './20261129190000_add_ledger_billing_run.ts';
import * as createCallHoldingsAndTakeCallSlot from './20261129200000_create_call_holdings_and_take_call_slot.ts';
import * as takeCallSlotsInBatches from './20261129210000_take_call_slots_in_batches.ts';
import * as createChargeCdrBatch from './20261129220000_create_charge_cdr_batch.ts';
import * as addAccountSessionVersion from './20261130100000_add_account_session_version.ts';
import * as createLoginAttempts from './20261130100100_create_login_attempts.ts';
import * as reserveCreditForCalls from './20261130130000_reserve_credit_for_calls.ts';
import * as createOutbox from './20261201050000_create_outbox.ts';
import * as createNotificationPreferences from './20261201100000_create_notification_preferences.ts';
import * as createMailTemplates from './20261201100100_create_mail_templates.ts';
import * as createAccountTokens from './20261201110000_create_account_tokens.ts';
import * as addNoticeMarks from './20261201110100_add_notice_marks.ts';
import * as createWebhookEndpoints from './20261201130000_create_webhook_endpoints.ts';
import * as createStripePayments from './20261201160000_create_stripe_payments.ts';
import * as createApiKeysAndHolds from './20261201120000_create_api_keys_and_holds.ts';
import * as createInvoicesAndTaxes from './20261201140000_create_invoices_and_taxes.ts';
import * as addCalendarBilling from './20261201150000_add_calendar_billing.ts';
import * as addHoldPrices from './20261202100000_add_hold_prices.ts';
import * as addLedgerEntryPeriods from './20261202110000_add_ledger_entry_periods.ts';
import * as allowExpiredPayments from './20261202120000_allow_expired_payments.ts';
import * as createReportRollups from './20261202130000_create_report_rollups.ts';
import * as createReportNumberMonths from './20261202160000_create_report_number_months.ts';
import * as addUtilisationIndexes from './20261202161000_add_utilisation_indexes.ts';
import * as addOutboxSettledIndex from './20261202170000_add_outbox_settled_index.ts';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const migrations: Array<[string, Migration]> = [
  ['20261129120000_create_accounts', createAccounts],
  ['20261129120100_create_providers_and_products', createProvidersAndProducts],
  ['20261129120200_create_subscriptions_and_reseller_prices', createSubscriptionsAndResellerPrices],
  ['20261129120300_create_ledger_and_audit_log', createLedgerAndAuditLog],
  ['20261129120400_create_sessions', createSessions],
  ['20261129130500_add_subscription_purchase_key', addSubscriptionPurchaseKey],
  ['20261129131500_add_inventory_indexes_and_imports', addInventoryIndexesAndImports],
  ['20261129140000_create_calls_and_switches', createCallsAndSwitches],
  ['20261129150000_create_billing_runs', createBillingRuns],
  ['20261129160000_create_rate_plans', createRatePlans],
  ['20261129170000_create_did_counts', createDidCounts],
  ['20261129180000_drop_call_slot_foreign_keys', dropCallSlotForeignKeys],
  ['20261129190000_add_ledger_billing_run', addLedgerBillingRun],
  ['20261129200000_create_call_holdings_and_take_call_slot', createCallHoldingsAndTakeCallSlot],
  ['20261129210000_take_call_slots_in_batches', takeCallSlotsInBatches],
  ['20261129220000_create_charge_cdr_batch', createChargeCdrBatch],
  ['20261130100000_add_account_session_version', addAccountSessionVersion],
  ['20261130100100_create_login_attempts', createLoginAttempts],
  ['20261130130000_reserve_credit_for_calls', reserveCreditForCalls],
  ['20261201050000_create_outbox', createOutbox],
  ['20261201100000_create_notification_preferences', createNotificationPreferences],
  ['20261201100100_create_mail_templates', createMailTemplates],
  ['20261201110000_create_account_tokens', createAccountTokens],
  ['20261201110100_add_notice_marks', addNoticeMarks],
  ['20261201130000_create_webhook_endpoints', createWebhookEndpoints],
  // Out of timestamp order on purpose: these ran in this order on every database migrated since
  // they were merged (the list order is the run order), and they touch different tables.
  ['20261201160000_create_stripe_payments', createStripePayments],
  ['20261201120000_create_api_keys_and_holds', createApiKeysAndHolds],
  ['20261201140000_create_invoices_and_taxes', createInvoicesAndTaxes],
  ['20261201150000_add_calendar_billing', addCalendarBilling],
  ['20261202100000_add_hold_prices', addHoldPrices],
  ['20261202110000_add_ledger_entry_periods', addLedgerEntryPeriods],
  ['20261202120000_allow_expired_payments', allowExpiredPayments],
  ['20261202130000_create_report_rollups', createReportRollups],
  ['20261202160000_create_report_number_months', createReportNumberMonths],
  ['20261202161000_add_utilisation_indexes', addUtilisationIndexes],
  ['20261202170000_add_outbox_settled_index', addOutboxSettledIndex],
];

export const migrationSource: Knex.MigrationSource<[string, Migration]> = {
  getMigrations: async () => migrations,
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};
