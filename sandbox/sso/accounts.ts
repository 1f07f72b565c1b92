import { scryptSync, timingSafeEqual } from 'node:crypto';
import { demoPeople } from '../demo-people.ts';

/**
 * Demo accounts of the embedded sign-on server. Development only: the passwords are
 * printed at start-up and written here, and a production deployment points
 * OIDC_ISSUER at the organization's own provider instead.
 */
export type Role = 'patient' | 'practitioner';

export interface DemoAccount {
  readonly sub: string;
  readonly username: string;
  readonly role: Role;
  readonly displayName: string;
  /** SMART `fhirUser`: `Person/<id>` for patients, `Practitioner/<id>` for practitioners. */
  readonly fhirUser: string;
  /** Practitioners' organization, as `Organization/<id>`. */
  readonly organization?: string;
  readonly password: string;
}

const person = (username: string) => {
  const p = demoPeople.find((d) => d.username === username);
  if (!p) throw new TypeError(`demo person ${username} missing`);
  return p;
};

export const demoAccounts: readonly DemoAccount[] = Object.freeze([
  { sub: person('alice').id, username: 'alice', role: 'patient', displayName: 'Alice Quill', fhirUser: `Person/${person('alice').id}`, password: 'alice-demo' },
  { sub: person('bob').id, username: 'bob', role: 'patient', displayName: 'Robert Fenwick', fhirUser: `Person/${person('bob').id}`, password: 'bob-demo' },
  { sub: 'c3e5a2b4-7d9f-4a83-9c2d-4e6f8a0b2c33', username: 'drchen', role: 'practitioner', displayName: 'Dr. Mei Chen', fhirUser: 'Practitioner/pr-chen-0417', organization: 'Organization/org-brightwater-cardiology', password: 'drchen-demo' },
  { sub: 'd4f6b3c5-8e0a-4b94-8d3e-5f7a9b1c3d44', username: 'drlin', role: 'practitioner', displayName: 'Dr. Tomas Lin', fhirUser: 'Practitioner/pr-lin-2291', organization: 'Organization/org-cedarvale-family-medicine', password: 'drlin-demo' },
]);

/** The browser client (authorization code + PKCE): GraphiQL, the portal, `npm run token`. */
export const BROWSER_CLIENT_ID = 'portal';

/** Where the browser client may return: the pages sign in and out on themselves; the CLI uses /auth/callback. */
export function browserRedirectUris(gatewayOrigin: string): string[] {
  return [`${gatewayOrigin}/`, `${gatewayOrigin}/portal`, `${gatewayOrigin}/auth/callback`];
}

/** Demo service clients using client credentials: two, so pseudonyms can be shown to differ per client. */
export const demoServiceClients = Object.freeze([
  Object.freeze({ clientId: 'analytics', clientSecret: 'analytics-demo-secret' }),
  Object.freeze({ clientId: 'registry', clientSecret: 'registry-demo-secret' }),
]);

// Passwords are compared as scrypt hashes in constant time, as a real login would,
// so the login step cannot be timed to learn a demo password.
const salt = 'fhir-patient-graph-demo';
const hashes = new Map(demoAccounts.map((a) => [a.username, scryptSync(a.password, salt, 32)]));

export function findAccountBySub(sub: string): DemoAccount | undefined {
  return demoAccounts.find((a) => a.sub === sub);
}

/** The account whose username and password match, or undefined. */
export function checkPassword(username: string, password: string): DemoAccount | undefined {
  const expected = hashes.get(username);
  const actual = scryptSync(password, salt, 32);
  if (!expected || !timingSafeEqual(expected, actual)) return undefined;
  return demoAccounts.find((a) => a.username === username);
}
