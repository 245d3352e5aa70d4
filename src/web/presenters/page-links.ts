// Pagination of list pages: which rows to read, and links that keep the page's filters. Every
// list shows them through one partial, views/partials/page-links.ejs.

export interface PageLinks {
  page: number;
  pages: number;
  total: number;
  /** False when the total is a lower bound (a count that stopped at a cap): "more than". */
  exact: boolean;
  firstRow: number;
  lastRow: number;
  previousHref: string | null;
  nextHref: string | null;
  /** Only for long lists that ask for them (the DID inventory). */
  firstHref: string | null;
  lastHref: string | null;
}

export function pageWindow(page: number, pageSize: number): { limit: number; offset: number } {
  return { limit: pageSize, offset: (page - 1) * pageSize };
}

/** `query` holds the page's current filters; empty ones are left out of the links. */
export function hrefWith(path: string, query: object, changes: Record<string, unknown> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...query, ...changes })) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export function pageLinks(
  path: string,
  query: object,
  total: number,
  page: number,
  pageSize: number,
  options: { exact?: boolean; ends?: boolean } = {},
): PageLinks {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const exact = options.exact ?? true;
  return {
    page,
    pages,
    total,
    exact,
    firstRow: total === 0 ? 0 : Math.min(total, (page - 1) * pageSize + 1),
    lastRow: Math.min(total, page * pageSize),
    previousHref: page > 1 ? hrefWith(path, query, { page: Math.min(page - 1, pages) }) : null,
    nextHref: page < pages ? hrefWith(path, query, { page: page + 1 }) : null,
    firstHref: options.ends && page > 1 ? hrefWith(path, query, { page: 1 }) : null,
    lastHref: options.ends && exact && page < pages ? hrefWith(path, query, { page: pages }) : null,
  };
}
