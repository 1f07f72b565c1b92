import { expect } from 'vitest';
import type { TestStack } from './stack.ts';

/** GraphQL operations of the sharing API, as a portal app would send them. */
export const GRANT = `mutation($input: ConsentInput!) { grantConsent(input: $input) {
  id status scope dateTime patient { reference }
  provision { type actor { reference type } class period { start end } hospitals { id name } } } }`;
export const UPDATE = 'mutation($id: ID!, $input: ConsentInput!) { updateConsent(id: $id, input: $input) { id status provision { class hospitals { id } } } }';
export const REVOKE = 'mutation($id: ID!) { revokeConsent(id: $id) { id status } }';
export const MY_CONSENTS = '{ me { consents { id status scope provision { actor { reference } class hospitals { id } period { start end } } } } }';
export const SHARED_WITH_ME = `{ sharedWithMe { id consents { id provision { class } }
  charts { hospital { id } patient { name { family } } observations(first: 50) { effectiveDateTime } conditions { id } } } }`;

export interface SharedPerson {
  id: string;
  charts: { hospital: { id: string }; patient: { name: { family: string }[] } | null; observations: { effectiveDateTime: string }[] | null; conditions: { id: string }[] | null }[];
}

export async function grant(stack: TestStack, token: string, input: Record<string, unknown>): Promise<string> {
  const res = await stack.gql(GRANT, token, { input });
  expect(res.body.errors).toBeUndefined();
  return (res.body.data as { grantConsent: { id: string } }).grantConsent.id;
}

export async function sharedWith(stack: TestStack, token: string): Promise<SharedPerson[]> {
  const res = await stack.gql(SHARED_WITH_ME, token);
  expect(res.status).toBe(200);
  return (res.body.data as { sharedWithMe: SharedPerson[] }).sharedWithMe;
}
