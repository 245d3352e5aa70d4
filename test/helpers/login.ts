// Logs in through the real login form, as a browser would: fetch the form, send its CSRF token.
import type { Express } from 'express';
import request from 'supertest';
import { TEST_PASSWORD } from './factories.ts';

export type Agent = ReturnType<typeof request.agent>;

export function csrfTokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('No CSRF token in the page');
  return match[1];
}

/** GETs a page with a form and returns its CSRF token. */
export async function csrfToken(agent: Agent, path = '/login'): Promise<string> {
  const page = await agent.get(path);
  return csrfTokenIn(page.text);
}

export async function loginAs(app: Express, email: string, password = TEST_PASSWORD): Promise<Agent> {
  const agent = request.agent(app);
  const token = await csrfToken(agent);
  const response = await agent.post('/login').type('form').send({ email, password, _csrf: token });
  if (response.status !== 302) throw new Error(`Login as ${email} failed with ${response.status}`);
  return agent;
}

/** POSTs a form the way the page would, with the session's CSRF token. */
export async function postForm(agent: Agent, path: string, fields: Record<string, string>, formPage = path) {
  const token = await csrfToken(agent, formPage);
  return agent.post(path).type('form').send({ ...fields, _csrf: token });
}
