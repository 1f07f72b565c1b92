import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { parseScopes, readableTypes } from '../../lib/auth/smart-scopes.ts';
import type { ConsentContext } from './context.ts';
import type { PersonRecord } from './store.ts';

/** Longest a grant lives; never longer than the caller's own token. */
const GRANT_LIFETIME_SEC = 300;

/** The caller's own Person, when the caller is a patient whose `fhirUser` names it. */
async function ownPerson(ctx: ConsentContext): Promise<PersonRecord | undefined> {
  const person = await ctx.store.personBySubject(ctx.caller.subject);
  if (!person || ctx.caller.fhirUser !== `Person/${person.id}`) return undefined;
  return person;
}

export const consentResolvers: GraphQLResolverMap<ConsentContext> = {
  Query: {
    me: (_root: unknown, _args: unknown, ctx: ConsentContext) => ownPerson(ctx),
  },
  Person: {
    // Another subgraph may only reach the caller's own Person through its key.
    async __resolveReference(ref: { id?: unknown }, ctx: ConsentContext) {
      const person = await ownPerson(ctx);
      return person && person.id === ref.id ? person : null;
    },
    async charts(person: PersonRecord, _args: unknown, ctx: ConsentContext) {
      const types = readableTypes(parseScopes(ctx.caller.scopes), 'patient');
      if (types.length === 0) return [];
      const lifetime = Math.min(GRANT_LIFETIME_SEC, ctx.caller.expiresAt - Math.floor(Date.now() / 1000));
      if (lifetime <= 0) return [];
      const linked = await ctx.links.resolve(person);
      return Promise.all(
        linked.map(async ({ hospital, patientId }) => ({
          __typename: hospital.typeName,
          grant: await ctx.grants.sign(
            { subject: ctx.caller.subject, person: person.id, hospital: hospital.id, patient: patientId, resourceTypes: types },
            ctx.caller.token,
            lifetime,
          ),
        })),
      );
    },
  },
};
