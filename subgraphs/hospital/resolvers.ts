import type { Condition, Observation, Patient } from 'fhir/r4.js';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { badUserInput, forbidden } from '../../lib/errors.ts';
import type { HospitalContext } from './context.ts';
import { ChartReader } from './chart-reader.ts';

/** A chart reference after its grant was verified. */
interface Chart {
  grantJws: string;
  reader: ChartReader;
}

const MAX_FIRST = 100;

function first(value: unknown, fallback: number): number {
  const n = typeof value === 'number' ? value : fallback;
  if (!Number.isInteger(n) || n < 0 || n > MAX_FIRST) throw badUserInput(`first must be between 0 and ${MAX_FIRST}`);
  return n;
}

/** Resolvers of one hospital subgraph; `typeName` is that hospital's chart type. */
export function hospitalResolvers(typeName: string): GraphQLResolverMap<HospitalContext> {
  return {
    [typeName]: {
      async __resolveReference(ref: { grant?: unknown }, ctx: HospitalContext): Promise<Chart> {
        const grantJws = typeof ref.grant === 'string' ? ref.grant : '';
        const grant = grantJws ? await ctx.verifyGrant(grantJws, ctx.caller.token, ctx.caller.subject) : undefined;
        // Same answer whatever is wrong with it, so a caller learns nothing by probing.
        if (!grant) throw forbidden('No valid grant for this chart');
        return { grantJws, reader: new ChartReader(grant, ctx.access, ctx.loaders, ctx.log) };
      },
      grant: (chart: Chart) => chart.grantJws,
      hospital: (_chart: Chart, _args: unknown, ctx: HospitalContext) => ({ id: ctx.hospital.id, name: ctx.hospital.name }),
      patient: (chart: Chart) => chart.reader.patient(),
      observations: (chart: Chart, args: { first?: number }) => chart.reader.search<Observation>('Observation', [], { count: first(args.first, 20) }),
      conditions: (chart: Chart, args: { first?: number }) => chart.reader.search<Condition>('Condition', [], { count: first(args.first, 50) }),
    },
    Patient: {
      birthYear: (patient: Patient) => (patient.birthDate ? Number(patient.birthDate.slice(0, 4)) : null),
    },
  };
}
