// Add funds in Chromium against the local Stripe stand-in: the customer pays through "Checkout"
// (the stand-in's page sends the browser back to the success_url, as Stripe does after a payment),
// sees the payment pending, the signed webhook credits it, and the admin refunds part of it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeStripeSettings } from '../helpers/factories.ts';
import { describeInBrowser, logInThroughForm, useBrowser } from '../helpers/browser.ts';
import { signedEvent, startFakeStripe, stripeTestConfig, type FakeStripe } from '../helpers/stripe.ts';

const database = useTestDatabase();

describeInBrowser('paying by card and refunding, in Chromium', () => {
  let fake: FakeStripe;
  // Before useBrowser's own beforeAll: the app's settings point at the stand-in.
  beforeAll(async () => {
    fake = await startFakeStripe({ checkoutPages: true });
  });
  afterAll(async () => fake.close());
  const browser = useBrowser(() => database.current.db, { config: (baseUrl) => stripeTestConfig(fake, { PUBLIC_URL: baseUrl }) });
  let admin: AccountRow;
  let customer: AccountRow;
  let webhookSecret: string;

  beforeAll(async () => {
    const db = database.current.db;
    admin = await makeAccount(db, { role: 'admin' });
    customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '5' });
    webhookSecret = (await makeStripeSettings(db, stripeTestConfig(fake), null)).webhookSecret;
  });

  it('when a customer adds 20.00 and Stripe confirms it, then the payment is paid with the new balance, and the admin refunds 8.00 of it', async () => {
    const page = await browser.newPage();
    await logInThroughForm(page, customer.email);
    await page.goto('/customer/payments');
    await page.getByRole('link', { name: 'Add funds' }).click();
    await page.locator('#f-amount').fill('20.00');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    // The stand-in's Checkout page, then straight back to the portal.
    await page.waitForURL(/\/customer\/payments\/\d+\?returned=success$/);
    expect(fake.requests.some((r) => r.method === 'GET' && r.path.startsWith('/c/pay/cs_test_'))).toBe(true);
    await expect.poll(() => page.locator('[data-pending]').isVisible()).toBe(true);
    const paymentId = Number(/\/payments\/(\d+)/.exec(page.url())![1]);
    const payment = await database.current.db('payments').where({ id: paymentId }).first();
    expect(payment).toMatchObject({ account_id: customer.id, status: 'pending', amount: '20.000000' });

    const event = signedEvent(webhookSecret, 'checkout.session.completed', {
      id: payment.checkout_session_id, object: 'checkout.session', mode: 'payment', status: 'complete', payment_status: 'paid', amount_total: 2000,
      currency: 'usd', payment_intent: `pi_e2e_${paymentId}`, customer: null, setup_intent: null, metadata: { payment_id: String(paymentId) },
    });
    const hook = await fetch(`${browser.baseUrl}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': event.header }, body: event.payload });
    expect(await hook.json()).toMatchObject({ received: true });

    await page.goto('/customer/payments');
    const row = page.locator(`tr[data-payment="${paymentId}"]`);
    expect(await row.getAttribute('data-status')).toBe('succeeded');
    expect(await row.locator('.badge').textContent()).toBe('Succeeded');
    expect(await page.locator('[data-balance]').textContent()).toBe('$25.0000');

    const desk = await browser.newPage();
    await logInThroughForm(desk, admin.email);
    await desk.goto(`/admin/payments/${paymentId}`);
    await desk.locator('#f-amount').fill('8');
    await desk.getByRole('button', { name: 'Review the refund' }).click();
    await desk.waitForLoadState('domcontentloaded');
    expect(await desk.locator('h1').textContent()).toBe('Confirm refund');
    await desk.getByRole('button', { name: 'Refund $8.0000' }).click();
    await desk.waitForURL(`**/admin/payments/${paymentId}`);
    expect(await desk.locator('.flash-success').textContent()).toContain('Refunded USD 8');
    expect(await desk.locator('dd[data-status]').textContent()).toContain('Partly refunded');
    expect(await desk.locator('dd[data-refunded]').textContent()).toBe('$8.0000');
    expect(fake.requests.filter((r) => r.path === '/v1/refunds').map((r) => r.params.amount)).toEqual(['800']);

    await page.reload();
    expect(await page.locator('[data-balance]').textContent()).toBe('$17.0000');
    await desk.context().close();
    await page.context().close();
  }, 120_000);
});
