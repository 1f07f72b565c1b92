import { createHmac } from 'node:crypto';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { badUserInput, forbidden, notFound } from '../../lib/errors.ts';
import { agentReference, issueCharts, type PersonView } from './charts.ts';
import { parseConsentInput, type ConsentInput } from './consent-input.ts';
import type { ConsentRecord } from './consent-store.ts';
import type { ConsentContext } from './context.ts';
import type { PersonRecord } from './people-store.ts';
import { auditShape, consentShape } from './shapes.ts';

/** The caller's own portal account; a patient token without one is refused. */
async function ownPerson(ctx: ConsentContext): Promise<PersonRecord> {
  const person = await ctx.people.personBySubject(ctx.caller.subject);
  if (!person || ctx.caller.fhirUser !== `Person/${person.id}`) throw forbidden('There is no portal account for this sign-in');
  return person;
}

/** A practitioner is reached through consents naming them or their organization. */
function actorsOf(ctx: ConsentContext): string[] {
  return [ctx.access.fhirUser, ctx.access.organization].filter((a): a is string => typeof a === 'string');
}

/** Groups consents by person, keeping the order of first appearance. */
async function viewsFor(kind: 'shared' | 'research', consents: readonly ConsentRecord[], ctx: ConsentContext): Promise<PersonView[]> {
  const byPerson = new Map<string, ConsentRecord[]>();
  for (const c of consents) byPerson.set(c.personId, [...(byPerson.get(c.personId) ?? []), c]);
  const views: PersonView[] = [];
  for (const [personId, list] of byPerson) {
    const person = await ctx.people.personById(personId);
    if (person) views.push({ kind, person, consents: list });
  }
  return views;
}

function limit(value: unknown, fallback: number, max: number): number {
  const n = typeof value === 'number' ? value : fallback;
  if (!Number.isInteger(n) || n < 1 || n > max) throw badUserInput(`first must be between 1 and ${max}`);
  return n;
}

export const consentResolvers: GraphQLResolverMap<ConsentContext> = {
  Query: {
    me: async (_root: unknown, _args: unknown, ctx: ConsentContext): Promise<PersonView> => ({ kind: 'self', person: await ownPerson(ctx) }),
    sharedWithMe: async (_root: unknown, _args: unknown, ctx: ConsentContext) => viewsFor('shared', await ctx.records.activeForActors(actorsOf(ctx)), ctx),
    async person(_root: unknown, args: { id: string }, ctx: ConsentContext) {
      const consents = await ctx.records.activeForActors(actorsOf(ctx), args.id);
      if (consents.length > 0) return (await viewsFor('shared', consents, ctx))[0] ?? null;
      // Refused: recorded in that person's log when they exist; the caller cannot tell which.
      const person = await ctx.people.personById(args.id);
      if (person) {
        await ctx.records.audit([{
          recorded: new Date(), personId: person.id, agent: agentReference(ctx.access, ctx.caller.clientId), agentSubject: ctx.caller.subject,
          clientId: ctx.caller.clientId, purpose: 'treatment', outcome: '4', outcomeDesc: 'No active consent', hospitalId: undefined, resourceTypes: [],
        }]);
      }
      return null;
    },
    researchCohort: async (_root: unknown, args: { first?: number }, ctx: ConsentContext) =>
      viewsFor('research', await ctx.records.activeResearch(limit(args.first, 100, 1000)), ctx),
  },
  Mutation: {
    async grantConsent(_root: unknown, args: { input: ConsentInput }, ctx: ConsentContext) {
      const person = await ownPerson(ctx);
      const terms = parseConsentInput(args.input, { hospitalIds: ctx.hospitals.map((h) => h.id), callerReference: ctx.caller.fhirUser });
      return consentShape(await ctx.records.create(person.id, terms), ctx.hospitals);
    },
    async updateConsent(_root: unknown, args: { id: string; input: ConsentInput }, ctx: ConsentContext) {
      const person = await ownPerson(ctx);
      const terms = parseConsentInput(args.input, { hospitalIds: ctx.hospitals.map((h) => h.id), callerReference: ctx.caller.fhirUser });
      const updated = await ctx.records.update(person.id, args.id, terms);
      if (!updated) throw notFound('No such consent');
      return consentShape(updated, ctx.hospitals);
    },
    async revokeConsent(_root: unknown, args: { id: string }, ctx: ConsentContext) {
      const person = await ownPerson(ctx);
      const revoked = await ctx.records.revoke(person.id, args.id);
      if (!revoked) throw notFound('No such consent');
      return consentShape(revoked, ctx.hospitals);
    },
  },
  Person: {
    id: (view: PersonView) => view.person.id,
    pseudonym: (view: PersonView, _args: unknown, ctx: ConsentContext) =>
      createHmac('sha256', ctx.pseudonymKey).update(`${ctx.caller.clientId ?? ctx.caller.subject}\u0000${view.person.id}`).digest('base64url').slice(0, 22),
    charts: (view: PersonView, _args: unknown, ctx: ConsentContext) => issueCharts(view, ctx),
    async consents(view: PersonView, _args: unknown, ctx: ConsentContext) {
      const list = view.kind === 'self' ? await ctx.records.ofPerson(view.person.id) : view.kind === 'shared' ? view.consents : [];
      return list.map((c) => consentShape(c, ctx.hospitals));
    },
    async accessLog(view: PersonView, args: { first?: number }, ctx: ConsentContext) {
      if (view.kind !== 'self') return null;
      return (await ctx.records.auditLog(view.person.id, limit(args.first, 50, 500))).map((e) => auditShape(e, ctx.hospitals));
    },
  },
};
