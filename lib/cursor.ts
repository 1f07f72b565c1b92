import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Opaque paging cursors: the paging state is sealed with AES-256-GCM, so a client can
 * neither read it (it holds the hospital server's next-page URL) nor forge or alter it.
 * The key lives in the process: cursors do not survive a restart, like the grants they
 * depend on.
 */
export interface CursorCodec {
  seal(value: object): string;
  open<T>(cursor: string): T | undefined;
}

export function createCursorCodec(key: Buffer = randomBytes(32)): CursorCodec {
  if (key.length !== 32) throw new TypeError('cursor key must be 32 bytes');
  return {
    seal(value) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    open<T>(cursor: string) {
      try {
        const raw = Buffer.from(cursor, 'base64url');
        if (raw.length < 29 || raw.length > 8192) return undefined;
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as T;
      } catch {
        return undefined;
      }
    },
  };
}
