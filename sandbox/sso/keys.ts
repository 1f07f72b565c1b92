import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

export interface IssuerSecrets {
  /** Private signing keys (JWKS) of the issuer. */
  jwks: { keys: JWK[] };
  /** Keys signing the issuer's cookies. */
  cookieKeys: string[];
}

/**
 * Loads the embedded issuer's keys from `dir`, creating them on first start, so tokens
 * and sessions survive a restart. Without a `dir` (tests) they live in memory only.
 */
export async function loadIssuerSecrets(dir: string | undefined): Promise<IssuerSecrets> {
  const file = dir && path.join(dir, 'issuer-secrets.json');
  if (file) {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as IssuerSecrets;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const secrets: IssuerSecrets = {
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' }] },
    cookieKeys: [randomBytes(32).toString('base64url')],
  };
  if (file && dir) {
    await mkdir(dir, { recursive: true });
    await writeFile(file, JSON.stringify(secrets), { mode: 0o600 });
  }
  return secrets;
}
