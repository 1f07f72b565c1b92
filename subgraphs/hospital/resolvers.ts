import type { FhirResource, Patient } from 'fhir/r4.js';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { forbidden } from '../../lib/errors.ts';
import { chartLists } from './chart-lists.ts';
import { ChartReader, type ListArgs } from './chart-reader.ts';
import type { HospitalContext } from './context.ts';

/** A chart reference after its grant was verified. */
interface Chart {
  grantJws: string;
  reader: ChartReader;
}

/** Resolvers of one hospital subgraph; `typeName` is that hospital's chart type. FHIR fields resolve by name. */
export function hospitalResolvers(typeName: string): GraphQLResolverMap<HospitalContext> {
  const lists = Object.fromEntries(
    chartLists.flatMap((list) => [
      [list.field, (chart: Chart, args: ListArgs) => chart.reader.list(list, args)],
      [`${list.field}Connection`, (chart: Chart, args: ListArgs) => chart.reader.connection(list, args)],
    ]),
  );
  return {
    [typeName]: {
      async __resolveReference(ref: { grant?: unknown }, ctx: HospitalContext): Promise<Chart> {
        const grantJws = typeof ref.grant === 'string' ? ref.grant : '';
        const grant = grantJws ? await ctx.grants.load(grantJws) : undefined;
        // Same answer whatever is wrong with it, so a caller learns nothing by probing.
        if (!grant) throw forbidden('No valid grant for this chart');
        return { grantJws, reader: new ChartReader(grant, ctx.access, ctx.loaders, ctx.cursors, ctx.owners, ctx.log) };
      },
      grant: (chart: Chart) => chart.grantJws,
      hospital: (_chart: Chart, _args: unknown, ctx: HospitalContext) => ({ id: ctx.hospital.id, name: ctx.hospital.name }),
      patient: (chart: Chart) => chart.reader.patient(),
      ...lists,
    },
    Patient: {
      birthYear: (patient: Patient) => (patient.birthDate ? Number(patient.birthDate.slice(0, 4)) : null),
    },
    Reference: {
      // Only references the chart reader handed out can be followed, and only through it.
      resource: (ref: object, _args: unknown, ctx: HospitalContext) => ctx.owners.get(ref)?.resolve(ref) ?? null,
    },
    ReferencedResource: {
      __resolveType: (resource: FhirResource) => resource.resourceType,
    },
  };
}
