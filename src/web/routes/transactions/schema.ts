// The Transactions list's filters.
import { z } from 'zod';
import type { LedgerKind } from '../../../db/repos/ledger.ts';
import { LEDGER_KINDS } from '../../../services/transactions.ts';
import { DATES_IN_ORDER, datesInOrder, emptyToUndefined, optionalDate, pageNumber } from '../../forms/fields.ts';

export const transactionsQuerySchema = z
  .object({
    kind: z.preprocess(emptyToUndefined, z.enum(LEDGER_KINDS as [LedgerKind, ...LedgerKind[]], { message: 'Choose a kind from the list' }).optional()),
    from: optionalDate,
    to: optionalDate,
    page: pageNumber,
  })
  .refine(datesInOrder, DATES_IN_ORDER);
