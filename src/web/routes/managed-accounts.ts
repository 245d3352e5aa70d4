// Accounts managed by someone above them: the admin's "Accounts" (resellers and customers) and a
// reseller's "Customers" (its own only). One router, mounted twice with its scope: every query
// carries the scope, so another tenant's id is a 404.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import {
  countAccounts,
  listAccounts,
  listParentOptions,
  type AccountFilters,
  type AccountListRow,
  type AccountScope,
} from '../../db/repos/account-directory.ts';
import { listLedgerEntries } from '../../db/repos/ledger-history.ts';
import { Money, MoneyFormatError, isMoneyText, parseMoney, toPlain } from '../../domain/money.ts';
import { ValidationError } from '../../errors.ts';
import { passwordSchema } from '../../services/accounts.ts';
import { createManagedAccount, getManagedAccount, updateManagedAccount } from '../../services/account-management.ts';
import { availableFunds } from '../../services/ledger.ts';
import {
  MANUAL_KINDS,
  MANUAL_KIND_LABELS,
  amountRuleBroken,
  previewManualEntry,
  recordManualEntry,
  type ManualEntryInput,
} from '../../services/manual-postings.ts';
import { LEDGER_KIND_LABELS } from '../../services/transactions.ts';
import { csvColumns, csvWriter } from '../../domain/csv-cell.ts';
import { currentAccount } from '../middleware/auth.ts';
import { formValues, parseForm } from '../middleware/validate.ts';
import { hrefWith, pageLinks, pageWindow } from '../presenters/page-links.ts';
import { flash, renderPage } from '../render.ts';
import type { AppContext } from '../context.ts';
import { exportTransactions, showTransactions } from './transactions.ts';

export const ACCOUNTS_PAGE_SIZE = 50;

export interface ManagedAccountsOptions {
  /** Where the router is mounted: /admin/accounts or /reseller/customers. */
  basePath: string;
  scopeOf(res: Response): AccountScope;
  /** "Accounts" / "account" for the admin, "Customers" / "customer" for a reseller. */
  plural: string;
  singular: string;
}

const blankToUndefined = (value: unknown) => (value === '' ? undefined : value);
const STATUSES = ['active', 'suspended', 'closed'] as const;
const BILLING_MODES = ['prepaid', 'postpaid'] as const;

function decimalsOf(text: string): number {
  return text.split('.')[1]?.length ?? 0;
}

/** A typed amount: plain digits, at most the configured decimals; the schema's value stays a string. */
function amountText(decimals: number, options: { negative: boolean }) {
  return z.string({ message: 'Enter an amount' }).trim().superRefine((text, ctx) => {
    if (text === '') return void ctx.addIssue({ code: 'custom', message: 'Enter an amount' });
    try {
      const value = parseMoney(text);
      if (!options.negative && value.isNegative()) ctx.addIssue({ code: 'custom', message: 'Enter an amount of 0 or more' });
      else if (decimalsOf(text) > decimals) ctx.addIssue({ code: 'custom', message: `Use at most ${decimals} decimals` });
    } catch (error) {
      if (!(error instanceof MoneyFormatError)) throw error;
      ctx.addIssue({ code: 'custom', message: 'Use digits with an optional decimal point, like 12.50: no thousands separators' });
    }
  });
}

const idText = z.string().trim().regex(/^\d{1,15}$/, 'Choose from the list').transform(Number);

function settingsFields(config: Config) {
  return {
    name: z.string({ message: 'Enter a name' }).trim().min(1, 'Enter a name').max(200, 'Use at most 200 characters'),
    email: z
      .string({ message: 'Enter an email address' })
      .trim()
      .min(1, 'Enter an email address')
      .max(254, 'Use at most 254 characters')
      .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'Enter an email address like name@example.com'),
    billing_mode: z.enum(BILLING_MODES, { message: 'Choose prepaid or postpaid' }),
    credit_limit: z.preprocess((v) => (v === undefined ? '0' : v), amountText(config.moneyDecimals, { negative: false })),
    max_concurrent_calls: z
      .string({ message: 'Enter a whole number, 0 for unlimited' })
      .trim()
      .regex(/^\d{1,6}$/, 'Enter a whole number, 0 for unlimited')
      .transform(Number),
    status: z.enum(STATUSES, { message: 'Choose a status' }),
  };
}

function createSchema(config: Config, scope: AccountScope) {
  return z
    .object({
      ...settingsFields(config),
      password: passwordSchema,
      role: scope.kind === 'admin' ? z.enum(['reseller', 'customer'], { message: 'Choose reseller or customer' }) : z.unknown().optional().transform(() => 'customer' as const),
      parent_id: z.preprocess(blankToUndefined, idText.optional()),
    })
    .refine((form) => form.role !== 'customer' || scope.kind === 'reseller' || form.parent_id !== undefined, {
      path: ['parent_id'],
      message: 'Choose who sells to this customer',
    });
}

function editSchema(config: Config) {
  return z.object({ ...settingsFields(config), password: z.preprocess(blankToUndefined, passwordSchema.optional()) });
}

function moneySchema(config: Config) {
  return z
    .object({
      kind: z.enum(MANUAL_KINDS, { message: 'Choose payment, refill or adjustment' }),
      amount: amountText(config.moneyDecimals, { negative: true }),
      note: z.string().trim().max(200, 'Use at most 200 characters').default(''),
      corrects_entry_id: z.preprocess(blankToUndefined, z.string().trim().regex(/^\d{1,15}$/, 'Enter an entry number from the Transactions page').transform(Number).optional()),
      idempotency_key: z.uuid({ message: 'This form has expired: open it again' }),
    })
    .superRefine((form, ctx) => {
      if (form.kind === 'adjustment' && form.note === '') ctx.addIssue({ code: 'custom', path: ['note'], message: 'Say why the adjustment is made' });
      // zod runs this refinement even when the amount failed its own checks: only judge a real amount.
      const broken = isMoneyText(form.amount) ? amountRuleBroken(form.kind, form.amount) : undefined;
      if (broken) ctx.addIssue({ code: 'custom', path: ['amount'], message: broken });
    });
}

const listQuerySchema = z.object({
  role: z.preprocess(blankToUndefined, z.enum(['reseller', 'customer'], { message: 'Choose reseller or customer' }).optional()),
  status: z.preprocess(blankToUndefined, z.enum(STATUSES, { message: 'Choose a status' }).optional()),
  parent: z.preprocess(blankToUndefined, idText.optional()),
  q: z.preprocess(blankToUndefined, z.string().trim().max(100, 'Use at most 100 characters').optional()),
  page: z.preprocess(blankToUndefined, z.coerce.number({ message: 'Not a page number' }).int().min(1).max(1_000_000).default(1)),
});

function parseAccountId(req: Request): number {
  const text = String(req.params.id ?? '');
  // Anything but a plain id is no account: 404, like an id that is not ours.
  return /^\d{1,15}$/.test(text) ? Number(text) : -1;
}

function plainAmount(value: string): string {
  return new Money(value).toString();
}

function settingsValues(account: AccountListRow): Record<string, string> {
  return {
    name: account.name,
    email: account.email,
    billing_mode: account.billing_mode,
    credit_limit: plainAmount(account.credit_limit),
    max_concurrent_calls: String(account.max_concurrent_calls),
    status: account.status,
  };
}

export function managedAccountsRouter(context: AppContext, options: ManagedAccountsOptions): Router {
  const { db, config, now } = context;
  const { basePath, scopeOf } = options;
  const router = Router();
  // The admin's rows of a purchase link to the subscription's page; a reseller sees its customer's
  // purchases without a link (a receipt belongs to the buyer's own pages).
  const subscriptionLinks = (res: Response) =>
    scopeOf(res).kind === 'admin' ? { receiptBase: '/admin/subscriptions', receiptLabel: 'Subscription' } : {};
  const common = (res: Response) => ({ base: basePath, plural: options.plural, singular: options.singular, isAdmin: scopeOf(res).kind === 'admin' });

  async function renderList(req: Request, res: Response) {
    const scope = scopeOf(res);
    const parsed = parseForm(listQuerySchema, req.query);
    const query = parsed.ok ? parsed.data : { page: 1 };
    const filters: AccountFilters = parsed.ok
      ? { status: parsed.data.status, q: parsed.data.q, ...(scope.kind === 'admin' ? { role: parsed.data.role, parentId: parsed.data.parent } : {}) }
      : {};
    const window = pageWindow(query.page, ACCOUNTS_PAGE_SIZE);
    const [rows, total, parents] = await Promise.all([
      listAccounts(db, scope, filters, window),
      countAccounts(db, scope, filters),
      scope.kind === 'admin' ? listParentOptions(db) : Promise.resolve([]),
    ]);
    const current = { role: filters.role, status: filters.status, parent: filters.parentId, q: filters.q };
    await renderPage(
      res,
      'accounts/list',
      {
        title: options.plural,
        ...common(res),
        rows: rows.map((row) => ({ ...row, available_funds: availableFunds(row) })),
        total,
        parents,
        values: parsed.ok ? current : req.query,
        fieldErrors: parsed.ok ? {} : parsed.errors,
        exportHref: hrefWith(`${basePath}/export.csv`, current),
        pager: pageLinks(basePath, current, total, query.page, ACCOUNTS_PAGE_SIZE),
      },
      parsed.ok ? 200 : 400,
    );
  }

  router.get('/', renderList);

  router.get('/export.csv', async (req, res) => {
    const scope = scopeOf(res);
    const parsed = parseForm(listQuerySchema, req.query);
    if (!parsed.ok) {
      res.status(400).type('text').send(Object.entries(parsed.errors).map(([field, message]) => `${field}: ${message}`).join('\n'));
      return;
    }
    const filters: AccountFilters = {
      status: parsed.data.status, q: parsed.data.q,
      ...(scope.kind === 'admin' ? { role: parsed.data.role, parentId: parsed.data.parent } : {}),
    };
    async function* records() {
      for (let offset = 0; ; offset += 1000) {
        const rows = await listAccounts(db, scope, filters, { limit: 1000, offset });
        for (const row of rows) {
          yield [
            row.id, row.role, row.name, row.email, row.parent_id ?? '', row.parent_name ?? '', row.status, row.billing_mode,
            toPlain(row.balance, config.moneyDecimals), toPlain(row.credit_limit, config.moneyDecimals),
            toPlain(availableFunds(row), config.moneyDecimals), row.max_concurrent_calls, new Date(row.created_at).toISOString(),
          ];
        }
        if (rows.length < 1000) return;
      }
    }
    res.type('text/csv; charset=utf-8');
    res.attachment(`${options.plural.toLowerCase()}.csv`);
    const columns = ['id', 'role', 'name', 'email', 'parent_id', 'parent_name', 'status', 'billing_mode', 'balance', 'credit_limit', 'available_funds', 'max_concurrent_calls', 'created_at'];
    const numeric = ['id', 'parent_id', 'balance', 'credit_limit', 'available_funds', 'max_concurrent_calls'];
    await pipeline(Readable.from(records()), csvWriter(csvColumns(columns, numeric)), res);
  });

  async function renderCreateForm(res: Response, extra: Record<string, unknown>, status = 200) {
    const scope = scopeOf(res);
    await renderPage(
      res,
      'accounts/form',
      {
        title: `New ${options.singular}`,
        ...common(res),
        mode: 'create',
        account: null,
        parents: scope.kind === 'admin' ? await listParentOptions(db) : [],
        ...extra,
      },
      status,
    );
  }

  router.get('/new', async (req, res) => {
    const scope = scopeOf(res);
    const parent = typeof req.query.parent === 'string' ? req.query.parent : '';
    await renderCreateForm(res, {
      values: {
        role: 'customer', parent_id: parent || (scope.kind === 'admin' ? String(scope.adminId) : ''),
        billing_mode: 'prepaid', credit_limit: '0', max_concurrent_calls: '0', status: 'active',
      },
    });
  });

  router.post('/new', async (req, res) => {
    const scope = scopeOf(res);
    const form = parseForm(createSchema(config, scope), req.body);
    if (!form.ok) return renderCreateForm(res, { values: formValues(req.body), fieldErrors: form.errors }, 400);
    let created;
    try {
      created = await createManagedAccount(
        db,
        scope,
        {
          role: form.data.role, parentId: form.data.parent_id, name: form.data.name, email: form.data.email, password: form.data.password,
          billingMode: form.data.billing_mode, creditLimit: form.data.credit_limit, maxConcurrentCalls: form.data.max_concurrent_calls, status: form.data.status,
        },
        { actorId: currentAccount(res).id, ip: req.ip, now: now(), bcryptCost: config.bcryptCost },
      );
    } catch (error) {
      if (error instanceof ValidationError) return renderCreateForm(res, { values: formValues(req.body), fieldErrors: error.fields }, 400);
      throw error;
    }
    flash(req, 'success', `${created.name} has been created.`);
    res.redirect(`${basePath}/${created.id}`);
  });

  router.get('/:id', async (req, res) => {
    const account = await getManagedAccount(db, scopeOf(res), parseAccountId(req));
    const recent = await listLedgerEntries(db, account.id, {}, { limit: 5, offset: 0 });
    await renderPage(res, 'accounts/show', {
      title: account.name,
      ...common(res),
      account,
      availableFunds: availableFunds(account),
      recent,
      kindLabels: LEDGER_KIND_LABELS,
      manage: { moneyHref: `${basePath}/${account.id}/money` },
      ...subscriptionLinks(res),
    });
  });

  async function renderEditForm(res: Response, account: AccountListRow, extra: Record<string, unknown>, status = 200) {
    await renderPage(res, 'accounts/form', { title: `Edit ${account.name}`, ...common(res), mode: 'edit', account, parents: [], ...extra }, status);
  }

  router.get('/:id/edit', async (req, res) => {
    const account = await getManagedAccount(db, scopeOf(res), parseAccountId(req));
    await renderEditForm(res, account, { values: settingsValues(account) });
  });

  router.post('/:id/edit', async (req, res) => {
    const scope = scopeOf(res);
    const account = await getManagedAccount(db, scope, parseAccountId(req));
    const form = parseForm(editSchema(config), req.body);
    if (!form.ok) return renderEditForm(res, account, { values: formValues(req.body), fieldErrors: form.errors }, 400);
    try {
      await updateManagedAccount(
        db,
        scope,
        account.id,
        {
          name: form.data.name, email: form.data.email, billingMode: form.data.billing_mode, creditLimit: form.data.credit_limit,
          maxConcurrentCalls: form.data.max_concurrent_calls, status: form.data.status, password: form.data.password,
        },
        { actorId: currentAccount(res).id, ip: req.ip, now: now(), bcryptCost: config.bcryptCost },
      );
    } catch (error) {
      if (error instanceof ValidationError) return renderEditForm(res, account, { values: formValues(req.body), fieldErrors: error.fields }, 400);
      throw error;
    }
    flash(req, 'success', `${form.data.name} has been saved.`);
    res.redirect(`${basePath}/${account.id}`);
  });

  async function renderMoneyForm(res: Response, account: AccountListRow, extra: Record<string, unknown>, status = 200) {
    await renderPage(
      res,
      'accounts/money',
      {
        title: `Record money for ${account.name}`,
        ...common(res),
        account,
        availableFunds: availableFunds(account),
        kinds: MANUAL_KINDS.map((kind) => ({ value: kind, label: MANUAL_KIND_LABELS[kind] })),
        ...extra,
      },
      status,
    );
  }

  function manualInput(accountId: number, data: z.infer<ReturnType<typeof moneySchema>>): ManualEntryInput {
    return {
      accountId, kind: data.kind, amount: data.amount, note: data.note, correctsEntryId: data.corrects_entry_id, idempotencyKey: data.idempotency_key,
    };
  }

  router.get('/:id/money', async (req, res) => {
    const account = await getManagedAccount(db, scopeOf(res), parseAccountId(req));
    const kind = typeof req.query.kind === 'string' && (MANUAL_KINDS as readonly string[]).includes(req.query.kind) ? req.query.kind : 'payment';
    const corrects = typeof req.query.corrects === 'string' && /^\d{1,15}$/.test(req.query.corrects) ? req.query.corrects : '';
    await renderMoneyForm(res, account, { values: { kind: corrects ? 'adjustment' : kind, corrects_entry_id: corrects, idempotency_key: randomUUID() } });
  });

  // Step one: check the form and show the balance before and after; nothing is written yet.
  router.post('/:id/money', async (req, res) => {
    const scope = scopeOf(res);
    const account = await getManagedAccount(db, scope, parseAccountId(req));
    const form = parseForm(moneySchema(config), req.body);
    if (!form.ok) return renderMoneyForm(res, account, { values: formValues(req.body), fieldErrors: form.errors }, 400);
    let preview;
    try {
      preview = await previewManualEntry(db, scope, manualInput(account.id, form.data));
    } catch (error) {
      if (error instanceof ValidationError) return renderMoneyForm(res, account, { values: formValues(req.body), fieldErrors: error.fields }, 400);
      throw error;
    }
    await renderPage(res, 'accounts/money-confirm', {
      title: 'Confirm',
      ...common(res),
      account,
      preview,
      form: { ...form.data, kindLabel: MANUAL_KIND_LABELS[form.data.kind] },
      values: formValues(req.body),
    });
  });

  // Step two: the confirmed form moves the money, once per form.
  router.post('/:id/money/confirm', async (req, res) => {
    const scope = scopeOf(res);
    const account = await getManagedAccount(db, scope, parseAccountId(req));
    const form = parseForm(moneySchema(config), req.body);
    if ((req.body as Record<string, unknown> | undefined)?.action === 'change' || !form.ok) {
      return renderMoneyForm(res, account, { values: formValues(req.body), fieldErrors: form.ok ? {} : form.errors }, form.ok ? 200 : 400);
    }
    let result;
    try {
      result = await recordManualEntry(db, scope, manualInput(account.id, form.data), { actorId: currentAccount(res).id, now: now(), ip: req.ip });
    } catch (error) {
      if (error instanceof ValidationError) return renderMoneyForm(res, account, { values: formValues(req.body), fieldErrors: error.fields }, 400);
      throw error;
    }
    const amount = context.config.currency + ' ' + toPlain(result.entry.amount, config.moneyDecimals);
    if (result.duplicate) flash(req, 'info', `This ${result.entry.kind} had already been recorded (entry ${result.entry.id}); nothing more was charged or credited.`);
    else flash(req, 'success', `${MANUAL_KIND_LABELS[form.data.kind]} of ${amount} recorded for ${account.name} (entry ${result.entry.id}).`);
    res.redirect(`${basePath}/${account.id}/transactions`);
  });

  router.get('/:id/transactions', async (req, res) => {
    const account = await getManagedAccount(db, scopeOf(res), parseAccountId(req));
    await showTransactions(context, req, res, account.id, {
      title: `Transactions of ${account.name}`,
      path: `${basePath}/${account.id}/transactions`,
      back: { href: `${basePath}/${account.id}`, label: account.name },
      manage: { moneyHref: `${basePath}/${account.id}/money` },
      ...subscriptionLinks(res),
    });
  });

  router.get('/:id/transactions/export.csv', async (req, res) => {
    const account = await getManagedAccount(db, scopeOf(res), parseAccountId(req));
    await exportTransactions(context, req, res, account.id, `transactions-${account.id}.csv`);
  });

  return router;
}
