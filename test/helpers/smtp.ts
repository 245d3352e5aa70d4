// A real SMTP server inside the test (smtp-server), keeping each mail it accepts parsed (mailparser).
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  mail: ParsedMail;
  /** RCPT TO addresses of the transaction. */
  to: string[];
}

export interface TestSmtpServer {
  url: string;
  received: ReceivedMail[];
  /** Answers RCPT TO for an address: return [code, text] to refuse it, or undefined to accept. */
  refuse: (address: string) => [number, string] | undefined;
  close(): Promise<void>;
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const state: TestSmtpServer = {
    url: '',
    received,
    refuse: () => undefined,
    close: () => Promise.resolve(),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const refusal = state.refuse(address.address);
      if (!refusal) return callback();
      const error = new Error(refusal[1]) as Error & { responseCode: number };
      error.responseCode = refusal[0];
      return callback(error);
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({ mail, to: session.envelope.rcptTo.map((each) => each.address) });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  state.url = `smtp://127.0.0.1:${port}`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
