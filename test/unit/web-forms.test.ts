// The web layer's one way to read input and to shape what templates see: validate(), idParam,
// the blank-field helpers, the viewer presenter and the pager. No database, no HTTP server.
import type { NextFunction, Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { ValidationError } from '../../src/errors.ts';
import { blankToUndefined, emptyToUndefined, trimmedOrUndefined } from '../../src/web/forms/fields.ts';
import { idParam, validate } from '../../src/web/middleware/validate.ts';
import { pageLinks } from '../../src/web/presenters/page-links.ts';
import { pageLocals } from '../../src/web/presenters/viewer.ts';

const schema = z.object({ name: z.string().min(1, 'Enter a name'), age: z.coerce.number().int('A whole number') });

function fakeResponse() {
  const sent: { status?: number; json?: unknown; text?: unknown } = {};
  const res = {
    locals: {},
    status(code: number) { sent.status = code; return res; },
    json(body: unknown) { sent.json = body; return res; },
    type() { return res; },
    send(body: unknown) { sent.text = body; return res; },
  };
  return { res: res as unknown as Response, sent };
}

async function run(middleware: ReturnType<typeof validate>, req: Partial<Request>, res: Response) {
  let nextCalled = false;
  await middleware(req as Request, res, (() => { nextCalled = true; }) as NextFunction);
  return nextCalled;
}

describe('validate()', () => {
  it('when the form parses, then the handler gets the typed data', async () => {
    const form = validate(schema);
    const { res } = fakeResponse();
    expect(await run(form, { body: { name: 'Ann', age: '42' } }, res)).toBe(true);
    expect(form.data(res)).toEqual({ name: 'Ann', age: 42 });
  });

  it('when no body parser took the request (body undefined), then it is an empty form: a 400 ValidationError, one message per field', async () => {
    const form = validate(schema);
    const { res } = fakeResponse();
    const error = await run(form, { body: undefined }, res).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).status).toBe(400);
    expect(Object.keys((error as ValidationError).fields).sort()).toEqual(['age', 'name']);
  });

  it('when a form fails and the route has a page, then that page is rendered with the typed values (no password) and the errors', async () => {
    let seen: unknown;
    const form = validate(schema, { onInvalid: (_req, _res, invalid) => { seen = invalid; } });
    const { res } = fakeResponse();
    expect(await run(form, { body: { name: '', age: 'x', password: 'secret', tags: ['a'] } }, res)).toBe(false);
    expect(seen).toEqual({ errors: { name: 'Enter a name', age: expect.any(String) }, values: { name: '', age: 'x' } });
  });

  it('when a list\'s filters fail, then the fallback is the data and the errors are there for the page', async () => {
    const query = validate(schema, { from: 'query', fallback: { name: 'all', age: 0 } });
    const { res } = fakeResponse();
    expect(await run(query, { query: { age: 'old' } }, res)).toBe(true);
    expect(query.data(res)).toEqual({ name: 'all', age: 0 });
    expect(query.invalid(res)?.errors.age).toBeDefined();
  });

  it('when a JSON or CSV route fails, then it answers 400 as JSON or as one line per field', async () => {
    const json = fakeResponse();
    await run(validate(schema, { answer: 'json' }), { body: {} }, json.res);
    expect(json.sent.status).toBe(400);
    expect(json.sent.json).toMatchObject({ error: expect.any(String), fields: { name: expect.any(String) } });
    const text = fakeResponse();
    await run(validate(schema, { answer: 'text' }), { body: {} }, text.res);
    expect(text.sent.status).toBe(400);
    expect(String(text.sent.text)).toMatch(/^name: .+\nage: .+$/);
  });
});

describe('idParam', () => {
  it.each([['7', 7], ['000123', 123], ['999999999999999', 999_999_999_999_999]])('when the path id is %s, then it is %d', (text, id) => {
    expect(idParam({ params: { id: text } } as unknown as Request)).toBe(id);
  });

  it.each(['', 'x', '1.5', '-1', '1e3', ' 1', '1234567890123456'])('when the path id is "%s", then it is a 404 with the given message', (text) => {
    expect(() => idParam({ params: { productId: text } } as unknown as Request, 'productId', 'No such number')).toThrow(
      expect.objectContaining({ status: 404, message: 'No such number' }),
    );
  });
});

describe('blank fields', () => {
  it.each([
    ['', undefined, undefined, undefined],
    ['  ', '  ', undefined, undefined],
    [' a ', ' a ', ' a ', 'a'],
    [undefined, undefined, undefined, undefined],
    [3, 3, 3, 3],
  ])('when the field is %j, then empty gives %j, blank %j, trimmed %j', (value, empty, blank, trimmed) => {
    expect(emptyToUndefined(value)).toEqual(empty);
    expect(blankToUndefined(value)).toEqual(blank);
    expect(trimmedOrUndefined(value)).toEqual(trimmed);
  });
});

describe('what templates see', () => {
  it('when a page is rendered for a logged-in account, then the template sees its name and role, never its password hash or balance', () => {
    const account = { id: 4, name: 'Ann', email: 'ann@example.com', role: 'reseller', password_hash: '$2b$12$secret', balance: '10.00' } as AccountRow;
    const locals = pageLocals({ currentAccount: account, requestId: 'r' }, { title: 'T' });
    expect(locals.currentAccount).toEqual({ id: 4, name: 'Ann', email: 'ann@example.com', role: 'reseller' });
    expect(JSON.stringify(locals)).not.toContain('secret');
    expect(locals.title).toBe('T');
  });
});

describe('the pager', () => {
  it('when a long list asks for its ends, then it links to the first and last pages, keeping the filters', () => {
    const pager = pageLinks('/admin/dids', { q: '44', page: 3 }, 250, 3, 50, { ends: true });
    expect(pager).toMatchObject({ pages: 5, firstRow: 101, lastRow: 150, firstHref: '/admin/dids?q=44&page=1', lastHref: '/admin/dids?q=44&page=5' });
  });

  it('when the total is only a lower bound, then there is no last page to link to', () => {
    const pager = pageLinks('/admin/dids', {}, 1000, 1, 50, { exact: false, ends: true });
    expect(pager.exact).toBe(false);
    expect(pager.lastHref).toBeNull();
    expect(pager.nextHref).toBe('/admin/dids?page=2');
  });
});
