// The admin's bulk import of DIDs from a CSV file: upload, preview with the invalid rows, commit.
// Mounted at /admin/dids/import.
import { finished } from 'node:stream/promises';
import express, { Router, type Request } from 'express';
import { csvColumns, csvWriter } from '../../../domain/csv-cell.ts';
import { DID_FIELDS, countryOptions } from '../../../domain/did-terms.ts';
import { listProviderNames } from '../../../db/repos/providers.ts';
import { ValidationError } from '../../../errors.ts';
import { sampleCsv } from '../../../services/did-export.ts';
import {
  MAX_IMPORT_BYTES, commitImport, findImport, importDefaultsOf, previewImport, storeImport, type ImportPreview,
} from '../../../services/did-import.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { idParam, validate } from '../../middleware/validate.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { importFileSchema, importQuerySchema } from './schema.ts';

export function importRouter({ db, now }: AppContext): Router {
  const router = Router();
  const countries = countryOptions();

  router.get('/', async (_req, res) => {
    await renderPage(res, 'admin/dids/import', { title: 'Import DIDs', providers: await listProviderNames(db), countries, fields: DID_FIELDS });
  });

  router.get('/sample.csv', (_req, res) => {
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="dids-sample.csv"');
    res.send(sampleCsv());
  });

  // The page's script sends the file itself as the body (CSV), with the CSRF token in a header.
  const file = validate(importFileSchema, { answer: 'json' });
  const options = validate(importQuerySchema, { from: 'query', answer: 'json' });

  router.post('/', express.text({ type: () => true, limit: MAX_IMPORT_BYTES }), file, options, async (_req, res) => {
    const query = options.data(res);
    try {
      const id = await storeImport(db, {
        actorId: currentAccount(res).id, filename: query.filename, content: file.data(res),
        defaults: { providerId: query.provider, country: query.country }, now: now(),
      });
      res.status(201).json({ location: `/admin/dids/import/${id}` });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      res.status(400).json({ error: Object.values(error.fields)[0] ?? error.message, fields: error.fields });
    }
  });

  const loadImport = (req: Request) => findImport(db, idParam(req, 'importId', 'There is no such import'));

  router.get('/:importId', async (req, res) => {
    const upload = await loadImport(req);
    let preview: ImportPreview | undefined;
    let fileError: string | undefined;
    if (!upload.committed_at) {
      try {
        preview = await previewImport(db, upload.content, importDefaultsOf(upload));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        fileError = Object.values(error.fields)[0] ?? error.message;
      }
    }
    const providers = await listProviderNames(db);
    await renderPage(res, 'admin/dids/import-preview', {
      title: `Import ${upload.filename}`, upload, preview, fileError,
      shownInvalid: preview?.invalid.slice(0, 500) ?? [],
      defaultProvider: providers.find((provider) => provider.id === upload.default_provider_id)?.name,
    });
  });

  router.get('/:importId/errors.csv', async (req, res) => {
    const upload = await loadImport(req);
    const preview = upload.committed_at ? undefined : await previewImport(db, upload.content, importDefaultsOf(upload));
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="import-${upload.id}-invalid-rows.csv"`);
    // The number is as the file had it: text, neutralised like any other cell.
    const csv = csvWriter(csvColumns(['line', 'number', 'reasons'], ['line']));
    csv.pipe(res);
    for (const row of preview?.invalid ?? []) csv.write([row.line, row.number, row.reasons.join('; ')]);
    csv.end();
    await finished(res);
  });

  router.post('/:importId/commit', async (req, res) => {
    const upload = await loadImport(req);
    const result = await commitImport(db, upload.id, { actorId: currentAccount(res).id, now: now() });
    flash(req, 'success', `Imported ${result.imported.toLocaleString('en-US')} numbers from ${upload.filename}${result.invalid > 0 ? `; ${result.invalid.toLocaleString('en-US')} invalid rows were left out` : ''}.`);
    res.redirect('/admin/dids?sort=created&dir=desc');
  });

  return router;
}
