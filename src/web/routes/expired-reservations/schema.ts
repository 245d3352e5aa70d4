// The Expired reservations list's query string: only its page.
import { z } from 'zod';
import { pageNumber } from '../../forms/fields.ts';

export const querySchema = z.object({ page: pageNumber });
