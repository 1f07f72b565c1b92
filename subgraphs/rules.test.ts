import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, isObjectType, parse, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Access } from '../lib/auth/access.ts';
import { loadHospitalsFile } from '../lib/config.ts';
import { rule } from 'graphql-shield';
import { protect, reached, signedIn, type RuleMap } from '../lib/rules/common.ts';
import { consentSubgraphDocument, hospitalSubgraphDocument } from '../schema/subgraph-sdl.ts';
import { consentRules } from './consent/rules.ts';
import { hospitalRules } from './hospital/rules.ts';

const hospitals = loadHospitalsFile('config/hospitals.json');

/** Every field of every object type a subgraph serves, as `Type.field`. */
function allFields(schema: GraphQLSchema): string[] {
  return Object.values(schema.getTypeMap())
    .filter((t) => isObjectType(t) && !t.name.startsWith('__'))
    .flatMap((t) => Object.keys((t as { getFields(): object }).getFields()).map((f) => `${t.name}.${f}`));
}

function ruledFields(rules: RuleMap): string[] {
  return Object.entries(rules).flatMap(([type, fields]) => Object.keys(fields).map((f) => `${type}.${f}`));
}

const subgraphs: [string, GraphQLSchema, RuleMap][] = [
  ['consent', buildSubgraphSchema({ typeDefs: consentSubgraphDocument(hospitals) }), consentRules(hospitals.map((h) => h.typeName))],
  ...hospitals.map((h): [string, GraphQLSchema, RuleMap] => [h.id, buildSubgraphSchema({ typeDefs: hospitalSubgraphDocument(h) }), hospitalRules(h.typeName)]),
];

describe('graphql-shield rules', () => {
  it.each(subgraphs)('govern every field of the %s subgraph with an explicit rule, and nothing else', (_name, schema, rules) => {
    const served = allFields(schema).sort();
    const ruled = ruledFields(rules).sort();
    expect(served.filter((f) => !ruled.includes(f)), 'fields without a rule').toEqual([]);
    expect(ruled.filter((f) => !served.includes(f)), 'rules for fields that do not exist').toEqual([]);
    expect(served.length).toBeGreaterThan(40);
  });

  it('deny a field that has no rule (fallback deny), with the Router error shape, and still answer the rest', async () => {
    const schema = buildSubgraphSchema({ typeDefs: parse('type Query { open: String  forgotten: String }'), resolvers: { Query: { open: () => 'yes', forgotten: () => 'leaked' } } });
    const guarded = protect(schema, { Query: { open: signedIn } });
    const access: Access = { kind: 'patient', context: 'patient', scopes: [], fhirUser: 'Person/p', organization: undefined };
    const result = await execute({ schema: guarded, document: parse('{ open forgotten }'), contextValue: { access } });
    expect(result.data).toEqual({ open: 'yes', forgotten: null });
    expect(result.errors?.map((e) => [e.path, e.extensions['code']])).toEqual([[['forgotten'], 'UNAUTHORIZED_FIELD_OR_TYPE']]);
    expect(JSON.stringify(result)).not.toContain('leaked');
  });

  it('leave `reached` fields unchecked but only reachable through their guarded parent', async () => {
    const schema = buildSubgraphSchema({
      typeDefs: parse('type Query { mine: Record  theirs: Record } type Record { value: String }'),
      resolvers: { Query: { mine: () => ({ value: 'mine' }), theirs: () => ({ value: 'leaked' }) } },
    });
    const refused = rule('refused', { cache: 'no_cache' })(() => false);
    const guarded = protect(schema, { Query: { mine: signedIn, theirs: refused }, Record: { value: reached } });
    // Unwrapped (graphql's default resolver); the guarded field is wrapped by shield.
    expect((guarded.getType('Record') as GraphQLObjectType).getFields()['value']?.resolve).toBeUndefined();
    expect(guarded.getQueryType()?.getFields()['theirs']?.resolve).toBeTypeOf('function');
    const access: Access = { kind: 'patient', context: 'patient', scopes: [], fhirUser: 'Person/p', organization: undefined };
    const result = await execute({ schema: guarded, document: parse('{ mine { value } theirs { value } }'), contextValue: { access } });
    expect(result.data).toEqual({ mine: { value: 'mine' }, theirs: null });
    expect(result.errors?.map((e) => [e.path, e.extensions['code']])).toEqual([[['theirs'], 'UNAUTHORIZED_FIELD_OR_TYPE']]);
    expect(JSON.stringify(result)).not.toContain('leaked');
  });

  it('deny without detail when a rule itself fails', async () => {
    const schema = buildSubgraphSchema({ typeDefs: parse('type Query { secret: String }'), resolvers: { Query: { secret: () => 'leaked' } } });
    const guarded = protect(schema, { Query: { secret: signedIn } });
    // No access in the context: the rule throws reading it.
    const result = await execute({ schema: guarded, document: parse('{ secret }'), contextValue: {} });
    expect(result.data).toEqual({ secret: null });
    expect(result.errors?.[0]?.extensions['code']).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    expect(result.errors?.[0]?.message).not.toMatch(/TypeError|undefined|access/);
  });
});
