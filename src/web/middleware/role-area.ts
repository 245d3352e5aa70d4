// Each role's area (/admin, /reseller, /customer) is guarded once where it is mounted, and says
// whose area it is in res.locals.role: the routers shared by several roles (calls, rate plans,
// managed accounts, buying, transactions) read their role there and nowhere else.
import type { RequestHandler, Response } from 'express';
import type { Role } from '../../db/repos/accounts.ts';
import { requireRole } from './auth.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express types its locals through this global namespace
  namespace Express {
    interface Locals {
      /** The role whose area this request is in; templates see it too. */
      role?: Role;
    }
  }
}

export function roleArea(role: Role): RequestHandler[] {
  const markArea: RequestHandler = (_req, res, next) => {
    res.locals.role = role;
    next();
  };
  return [requireRole(role), markArea];
}

export function areaRole(res: Response): Role {
  const role = res.locals.role;
  if (!role) throw new Error('This router is mounted outside a role area (roleArea)');
  return role;
}
