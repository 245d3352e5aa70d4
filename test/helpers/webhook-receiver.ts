// A webhook receiver for tests: a local HTTP server that keeps every request and answers with the
// status the test chooses, per path.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface WebhookReceiver {
  /** The base URL: http://127.0.0.1:<port> */
  url: string;
  received: ReceivedWebhook[];
  /** Requests to one path (each test uses its own). */
  at(path: string): ReceivedWebhook[];
  /** How the receiver answers a path: a status, or a function of the request's number there (from 1). */
  answer(path: string, status: number | ((nth: number) => number)): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const answers = new Map<string, number | ((nth: number) => number)>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const headers = Object.fromEntries(Object.entries(req.headers).map(([key, value]) => [key, Array.isArray(value) ? value.join(', ') : (value ?? '')]));
      received.push({ path, headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = answers.get(path) ?? 200;
      const status = typeof answer === 'number' ? answer : answer(received.filter((each) => each.path === path).length);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'thanks' : `receiver says ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    at: (path) => received.filter((each) => each.path === path),
    answer: (path, status) => void answers.set(path, status),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The body as the receiver's code would get it after `standardwebhooks` verified the signature (throws if it does not verify). */
export function verifiedBody(secret: string, request: ReceivedWebhook): { type: string; timestamp: string; data: Record<string, unknown> } {
  return new Webhook(secret).verify(request.body, request.headers) as { type: string; timestamp: string; data: Record<string, unknown> };
}
