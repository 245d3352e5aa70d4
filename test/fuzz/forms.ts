// Reads the forms off the app's own pages, so the fuzz suite posts the fields each form really has
// (hidden ones included) and a field added to a form is fuzzed without touching the suite.

export interface PageForm {
  method: 'get' | 'post';
  /** The action's path, without its query. */
  action: string;
  /** Each field with the value the page gives it (the first value for a repeated name). */
  fields: Record<string, string>;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#34': '"', '#39': "'", '#x27': "'", '#x2F': '/', '#61': '=', '#96': '`' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#?\w+);/g, (whole, name: string) => ENTITIES[name] ?? whole);
}

const attribute = (tag: string, name: string): string | undefined => {
  const match = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return match ? decodeEntities(match[2] ?? match[3] ?? match[4] ?? '') : undefined;
};
const flag = (tag: string, name: string) => new RegExp(`\\s${name}(\\s|=|>|/)`, 'i').test(tag);

function fieldsOf(inner: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const put = (name: string | undefined, value: string) => {
    if (name && !(name in fields)) fields[name] = value;
  };
  for (const [tag] of inner.matchAll(/<input\b[^>]*>/gi)) {
    const type = (attribute(tag, 'type') ?? 'text').toLowerCase();
    if ((type === 'checkbox' || type === 'radio') && !flag(tag, 'checked')) {
      // An unchecked box is still a field the handler reads: fuzz it, starting from absent.
      const name = attribute(tag, 'name');
      if (name && !(name in fields)) fields[name] = '';
      continue;
    }
    if (type === 'file') continue;
    put(attribute(tag, 'name'), attribute(tag, 'value') ?? (type === 'checkbox' ? 'on' : ''));
  }
  for (const [, open = '', body = ''] of inner.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/gi)) {
    const options = [...body.matchAll(/<option\b([^>]*)>([\s\S]*?)<\/option>/gi)];
    const chosen = options.find(([, attrs = '']) => flag(`${attrs}>`, 'selected')) ?? options[0];
    put(attribute(open, 'name'), chosen ? (attribute(chosen[1] ?? '', 'value') ?? decodeEntities(chosen[2] ?? '').trim()) : '');
  }
  for (const [, open = '', body = ''] of inner.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/gi)) put(attribute(open, 'name'), decodeEntities(body));
  for (const [tag] of inner.matchAll(/<button\b[^>]*>/gi)) if (attribute(tag, 'name')) put(attribute(tag, 'name'), attribute(tag, 'value') ?? '');
  return fields;
}

/** Every form of an HTML page; `path` resolves an empty or missing action. */
export function formsOf(html: string, path: string): PageForm[] {
  const forms: PageForm[] = [];
  for (const [, open = '', inner = ''] of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const method = (attribute(` ${open}`, 'method') ?? 'get').toLowerCase() === 'post' ? 'post' : 'get';
    const action = (attribute(` ${open}`, 'action') || path).split('?')[0]!;
    forms.push({ method, action, fields: fieldsOf(inner) });
  }
  return forms;
}

/** The query parameter names of the page's links back to the same path (pagination, sorting). */
export function linkQueryNames(html: string, path: string): string[] {
  const names = new Set<string>();
  for (const [, href = ''] of html.matchAll(/href="([^"]*\?[^"]*)"/g)) {
    const url = new URL(decodeEntities(href), 'http://x');
    if (url.pathname === path || href.startsWith('?')) for (const name of url.searchParams.keys()) names.add(name);
  }
  return [...names];
}
