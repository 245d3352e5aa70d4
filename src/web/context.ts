import type { Db } from '../db/knex.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';

/** What the routers need, handed down once from createApp. */
export interface AppContext {
  db: Db;
  config: Config;
  logger: Logger;
  /** The clock: tests and the billing job can set it (DESIGN: time is a parameter). */
  now: () => Date;
}
