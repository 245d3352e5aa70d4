// Every page is rendered into the one layout: the page's view first, then layouts/main around it.
import type { Application, Request, Response } from 'express';
import type { Flash } from './types.ts';
import { pageLocals } from './presenters/viewer.ts';
import { writeCsv, type CsvBatches, type CsvTable } from '../services/csv-export.ts';

export interface PageData {
  title: string;
  [key: string]: unknown;
}

function renderView(app: Application, view: string, locals: object): Promise<string> {
  return new Promise((resolve, reject) => {
    app.render(view, locals, (error: Error | null, html?: string) => (error ? reject(error) : resolve(html ?? '')));
  });
}

/** Async so that Express 5 forwards a template error to the error handler. */
export async function renderPage(res: Response, view: string, data: PageData, status = 200): Promise<void> {
  const locals = pageLocals(res.locals, data);
  const body = await renderView(res.app, view, locals);
  const html = await renderView(res.app, 'layouts/main', { ...locals, body });
  res.status(status).type('html').send(html);
}

export function flash(req: Request, kind: Flash['kind'], text: string): void {
  req.session.flash = [...(req.session.flash ?? []), { kind, text }];
}

/** A list's CSV export as a download, streamed batch by batch (services/csv-export.ts). */
export async function sendCsv<Row>(res: Response, filename: string, table: CsvTable<Row>, batches: CsvBatches<Row>): Promise<void> {
  res.type('text/csv; charset=utf-8');
  res.attachment(filename);
  await writeCsv(table, batches, res);
}
