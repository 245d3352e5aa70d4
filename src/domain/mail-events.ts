// The mails didhub sends: for each event, whether the account may turn it off, who gets it, the
// variables its template may use (with sample values for the preview) and its default template.
import type { MailContent } from './mail-render.ts';

export const MAIL_EVENT_TYPES = [
  'number.purchased',
  'subscription.renewed',
  'renewal.notice',
  'number.suspended',
  'number.released',
  'number.expiring',
  'balance.low',
  'payment.received',
  'refill.failed',
  'password.reset',
  'account.welcome',
] as const;

export type MailEventType = (typeof MAIL_EVENT_TYPES)[number];

export interface MailEventSpec {
  label: string;
  /** Receipts and security mails cannot be turned off; the other notices can. */
  optional: boolean;
  /** Security mails go to the account's own address only, never to billing contacts. */
  security: boolean;
  /** Variable name -> what it holds (the templates page lists them). */
  variables: Record<string, string>;
  sample: Record<string, string>;
  defaults: MailContent;
}

const COMMON_VARIABLES = {
  brand_name: 'Who sends the mail: the operator, or the reseller for its customers',
  account_name: "The account's name",
  account_email: "The account's login address",
};
const COMMON_SAMPLE = { brand_name: 'Acme Voice', account_name: 'Jane Doe', account_email: 'jane@example.com' };

// The HTML defaults share one frame; the body is the event's own part.
function html(title: string, body: string): string {
  return `<!doctype html>
<html><body style="font-family: Arial, sans-serif; color: #222; line-height: 1.5">
<h2 style="margin: 0 0 12px"><%= brand_name %></h2>
<h3>${title}</h3>
<p>Hello <%= account_name %>,</p>
${body}
<p style="color: #666; font-size: 12px">This mail was sent by <%= brand_name %> to <%= account_email %>.</p>
</body></html>
`;
}

function text(body: string): string {
  return `Hello <%= account_name %>,

${body}

-- 
<%= brand_name %>
`;
}

function spec(label: string, kind: 'receipt' | 'notice' | 'security', variables: Record<string, [string, string]>, defaults: MailContent): MailEventSpec {
  return {
    label,
    optional: kind === 'notice',
    security: kind === 'security',
    variables: { ...COMMON_VARIABLES, ...Object.fromEntries(Object.entries(variables).map(([name, [about]]) => [name, about])) },
    sample: { ...COMMON_SAMPLE, ...Object.fromEntries(Object.entries(variables).map(([name, [, sample]]) => [name, sample])) },
    defaults,
  };
}

export const MAIL_EVENTS: Record<MailEventType, MailEventSpec> = {
  'number.purchased': spec('Purchase receipt', 'receipt', {
    number: ['The number bought (E.164)', '+14155550123'],
    setup_fee: ['Setup fee charged', '$1.0000'],
    first_period: ['First period charged', '$2.5000'],
    total: ['Setup fee and first period together', '$3.5000'],
    price: ['The locked recurring price', '$2.5000'],
    billing: ['How it renews', 'every 30 days'],
    next_renewal: ['Next renewal date, or "no renewal"', '31 Mar 2027'],
  }, {
    subject: 'Receipt: <%= number %> is yours',
    html: html('Receipt for <%= number %>', `<table>
<tr><td>Number</td><td><strong><%= number %></strong></td></tr>
<tr><td>Setup fee</td><td><%= setup_fee %></td></tr>
<tr><td>First period</td><td><%= first_period %></td></tr>
<tr><td>Charged</td><td><strong><%= total %></strong></td></tr>
<tr><td>Price</td><td><%= price %>, <%= billing %></td></tr>
<tr><td>Next renewal</td><td><%= next_renewal %></td></tr>
</table>`),
    text: text(`Receipt for <%= number %>.

Setup fee:     <%= setup_fee %>
First period:  <%= first_period %>
Charged:       <%= total %>
Price:         <%= price %>, <%= billing %>
Next renewal:  <%= next_renewal %>`),
  }),
  'subscription.renewed': spec('Renewal charged', 'receipt', {
    number: ['The number renewed', '+14155550123'],
    amount: ['Amount charged', '$2.5000'],
    period_start: ['Start of the paid period', '1 Mar 2027'],
    period_end: ['End of the paid period', '31 Mar 2027'],
  }, {
    subject: '<%= number %> renewed: <%= amount %> charged',
    html: html('<%= number %> renewed', '<p>We charged <strong><%= amount %></strong> for <%= number %>, for <%= period_start %> to <%= period_end %>.</p>'),
    text: text('We charged <%= amount %> for <%= number %>, for <%= period_start %> to <%= period_end %>.'),
  }),
  'renewal.notice': spec('Renewal notice (funds short)', 'notice', {
    number: ['The number due for renewal', '+14155550123'],
    amount: ['Amount of the renewal', '$2.5000'],
    due_at: ['When the renewal is due', '31 Mar 2027'],
    available: ['Funds available now', '$1.0000'],
  }, {
    subject: 'Add funds: <%= number %> renews on <%= due_at %>',
    html: html('Your funds will not cover a renewal', '<p><%= number %> renews on <strong><%= due_at %></strong> for <%= amount %>, but only <%= available %> is available. Add funds before then to keep the number.</p>'),
    text: text('<%= number %> renews on <%= due_at %> for <%= amount %>, but only <%= available %> is available. Add funds before then to keep the number.'),
  }),
  'number.suspended': spec('Number suspended', 'notice', {
    number: ['The number suspended', '+14155550123'],
    amount: ['The renewal that was not covered', '$2.5000'],
    note: ['Why', 'Insufficient funds for the renewal'],
  }, {
    subject: '<%= number %> is suspended',
    html: html('<%= number %> is suspended', '<p>The renewal of <%= number %> (<%= amount %>) could not be charged: <%= note %>. Add funds to reactivate it before it is released.</p>'),
    text: text('The renewal of <%= number %> (<%= amount %>) could not be charged: <%= note %>. Add funds to reactivate it before it is released.'),
  }),
  'number.released': spec('Number released', 'notice', {
    number: ['The number released', '+14155550123'],
    reason: ['Why it was released', 'it stayed unpaid past the grace period'],
  }, {
    subject: '<%= number %> was released',
    html: html('<%= number %> was released', '<p><%= number %> is no longer yours: <%= reason %>.</p>'),
    text: text('<%= number %> is no longer yours: <%= reason %>.'),
  }),
  'number.expiring': spec('One-time number expiring', 'notice', {
    number: ['The one-time number', '+14155550123'],
    expires_at: ['When its term ends', '31 Mar 2027'],
  }, {
    subject: '<%= number %> expires on <%= expires_at %>',
    html: html('<%= number %> expires soon', '<p>The one-time term of <%= number %> ends on <strong><%= expires_at %></strong>; the number is released then.</p>'),
    text: text('The one-time term of <%= number %> ends on <%= expires_at %>; the number is released then.'),
  }),
  'balance.low': spec('Low balance', 'notice', {
    balance: ['Balance now', '$4.2000'],
    available: ['Funds available (balance and credit)', '$4.2000'],
    threshold: ['Your warning threshold', '$5.0000'],
  }, {
    subject: 'Low balance: <%= available %> available',
    html: html('Your balance is low', '<p>Only <strong><%= available %></strong> is available (balance <%= balance %>), below your threshold of <%= threshold %>. Add funds to keep your numbers and calls running.</p>'),
    text: text('Only <%= available %> is available (balance <%= balance %>), below your threshold of <%= threshold %>. Add funds to keep your numbers and calls running.'),
  }),
  'payment.received': spec('Payment received', 'receipt', {
    amount: ['Amount received', '$50.0000'],
    kind: ['What kind of payment', 'payment'],
    balance: ['Balance after it', '$54.2000'],
    note: ['Note of the payment (may be empty)', 'Bank transfer 2027-03'],
  }, {
    subject: 'Payment received: <%= amount %>',
    html: html('Payment received', '<p>We received <strong><%= amount %></strong> (<%= kind %>). Your balance is now <%= balance %>.</p><p><%= note %></p>'),
    text: text('We received <%= amount %> (<%= kind %>). Your balance is now <%= balance %>.\n<%= note %>'),
  }),
  'refill.failed': spec('Automatic refill declined', 'receipt', {
    amount: ['Amount the refill tried to charge', '$25.0000'],
    card: ['The saved card that was charged', 'visa •••• 4242'],
    reason: ["Why it failed, as the card's bank or Stripe said", 'Your card has insufficient funds.'],
    add_funds_url: ['Link to the Add funds page', 'https://portal.example.com/customer/payments/add'],
  }, {
    subject: 'Automatic refill declined: <%= amount %> not charged',
    html: html('Your automatic refill was declined', '<p>We tried to charge <strong><%= amount %></strong> to <%= card %> because your funds fell below your refill threshold, but the charge failed: <%= reason %></p><p>It is not tried again until your funds are back above the threshold. Add funds, or save another card for the refill:</p><p><a href="<%= add_funds_url %>"><%= add_funds_url %></a></p>'),
    text: text('We tried to charge <%= amount %> to <%= card %> because your funds fell below your refill threshold, but the charge failed: <%= reason %>\n\nIt is not tried again until your funds are back above the threshold. Add funds, or save another card for the refill:\n\n<%= add_funds_url %>'),
  }),
  'password.reset': spec('Password reset', 'security', {
    reset_url: ['The single-use reset link', 'https://portal.example.com/reset-password/abc123'],
    expires_at: ['When the link stops working', '1 Mar 2027, 12:30 UTC'],
  }, {
    subject: 'Reset your <%= brand_name %> password',
    html: html('Reset your password', '<p>Someone asked to reset the password of <%= account_email %>. Follow this link to choose a new one (it works once, until <%= expires_at %>):</p><p><a href="<%= reset_url %>"><%= reset_url %></a></p><p>If it was not you, ignore this mail: your password stays as it is.</p>'),
    text: text('Someone asked to reset the password of <%= account_email %>. Follow this link to choose a new one (it works once, until <%= expires_at %>):\n\n<%= reset_url %>\n\nIf it was not you, ignore this mail: your password stays as it is.'),
  }),
  'account.welcome': spec('Welcome (set your password)', 'security', {
    set_password_url: ['The link to choose a password', 'https://portal.example.com/set-password/abc123'],
    expires_at: ['When the link stops working', '8 Mar 2027, 12:00 UTC'],
  }, {
    subject: 'Welcome to <%= brand_name %>',
    html: html('Welcome', '<p>An account was opened for you at <%= brand_name %> with the login <%= account_email %>. Choose your password here (the link works until <%= expires_at %>):</p><p><a href="<%= set_password_url %>"><%= set_password_url %></a></p>'),
    text: text('An account was opened for you at <%= brand_name %> with the login <%= account_email %>. Choose your password here (the link works until <%= expires_at %>):\n\n<%= set_password_url %>'),
  }),
};

export function isMailEventType(value: string): value is MailEventType {
  return (MAIL_EVENT_TYPES as readonly string[]).includes(value);
}

/** The notices an account may turn off (the preferences page lists these). */
export const OPTIONAL_MAIL_EVENTS: readonly MailEventType[] = MAIL_EVENT_TYPES.filter((type) => MAIL_EVENTS[type].optional);
