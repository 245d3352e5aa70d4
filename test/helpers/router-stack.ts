// The app's routes as Express holds them, so tests that must cover every route (the tenancy walk,
// the fuzz suite) fail when a route is added and not classified.
import type { Express } from 'express';

interface RouterLayer {
  rawPath?: string;
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
}

function joinPath(prefix: string, path: string): string {
  return `${prefix.replace(/\/$/, '')}/${path.replace(/^\//, '')}`.replace(/(.)\/$/, '$1');
}

/** Every path with a handler for `method`, read from the app's router stack, nested routers included. */
export function routesOf(app: Express, method: 'get' | 'post' | 'patch' | 'delete'): string[] {
  const found = new Set<string>();
  const walk = (stack: RouterLayer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        if (!layer.route.methods[method]) continue;
        for (const path of ([] as string[]).concat(layer.route.path)) found.add(joinPath(prefix, path));
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, joinPath(prefix, layer.rawPath ?? '/'));
      }
    }
  };
  walk((app as unknown as { router: { stack: RouterLayer[] } }).router.stack, '/');
  return [...found].sort();
}

/** Whether a concrete path (no query) is matched by a route pattern such as /admin/dids/:id. */
export function matchesRoute(pattern: string, path: string): boolean {
  const source = pattern.split('/').map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
  return new RegExp(`^${source}$`).test(path);
}

/** A route pattern with its parameters filled in. */
export function fillRoute(pattern: string, params: Record<string, string | number>): string {
  return pattern.replace(/:(\w+)/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`No value for :${name} in ${pattern}`);
    return encodeURIComponent(String(params[name]));
  });
}
