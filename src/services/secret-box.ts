// Secrets at rest (the Stripe secret key and webhook secret): AES-256-GCM under a key derived from
// SESSION_SECRET with scrypt. A database dump alone does not give the keys away; changing
// SESSION_SECRET makes the stored secrets unreadable (they must be entered again).
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';

const keys = new Map<string, Buffer>();

function keyOf(sessionSecret: string): Buffer {
  let key = keys.get(sessionSecret);
  if (!key) {
    key = scryptSync(sessionSecret, 'didhub payment settings v1', 32);
    keys.set(sessionSecret, key);
  }
  return key;
}

export function sealSecret(plain: string, sessionSecret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(sessionSecret), iv);
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), sealed.toString('base64')].join(':');
}

/** The secret, or undefined when it was sealed under another SESSION_SECRET (or is damaged). */
export function openSecret(sealed: string, sessionSecret: string): string | undefined {
  const [version, iv, tag, data] = sealed.split(':');
  if (version !== 'v1' || !iv || !tag || !data) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(sessionSecret), Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
