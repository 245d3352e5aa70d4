// Pagination of list pages: which rows to read, and links that keep the page's filters.

export interface PageLinks {
  page: number;
  pages: number;
  total: number;
  firstRow: number;
  lastRow: number;
  previousHref: string | null;
  nextHref: string | null;
}

export function pageWindow(page: number, pageSize: number): { limit: number; offset: number } {
  return { limit: pageSize, offset: (page - 1) * pageSize };
}

/** `query` holds the page's current filters; empty ones are left out of the links. */
export function hrefWith(path: string, query: Record<string, unknown>, changes: Record<string, unknown> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...query, ...changes })) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export function pageLinks(path: string, query: Record<string, unknown>, total: number, page: number, pageSize: number): PageLinks {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return {
    page,
    pages,
    total,
    firstRow: total === 0 ? 0 : Math.min(total, (page - 1) * pageSize + 1),
    lastRow: Math.min(total, page * pageSize),
    previousHref: page > 1 ? hrefWith(path, query, { page: Math.min(page - 1, pages) }) : null,
    nextHref: page < pages ? hrefWith(path, query, { page: page + 1 }) : null,
  };
}
