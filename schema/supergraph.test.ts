import { readFileSync } from 'node:fs';
import { printSchema, Supergraph } from '@apollo/federation-internals';
import { describe, expect, it } from 'vitest';
import { loadHospitalsFile } from '../lib/config.ts';
import { composeSupergraph, SUPERGRAPH_FILE } from './compose.ts';

describe('supergraph', () => {
  it('is up to date with the subgraph schemas and config/hospitals.json (run `npm run compose`)', () => {
    const fresh = composeSupergraph(loadHospitalsFile('config/hospitals.json'));
    expect(readFileSync(SUPERGRAPH_FILE, 'utf8')).toBe(fresh);
  });

  it('composes any hospitals config: one chart type per hospital', () => {
    const hospitals = loadHospitalsFile('config/hospitals.json');
    const extra = { ...hospitals[0]!, id: 'delta', typeName: 'DeltaChart', subgraphUrl: 'http://localhost:4199/graphql' };
    const sdl = composeSupergraph([...hospitals, extra]);
    expect(sdl).toContain('type DeltaChart implements HospitalChart');
    expect(sdl).toMatch(/join__Graph[\s\S]*HOSPITAL_DELTA/);
  });

  it('keeps the internal grant key out of the client API', () => {
    const printed = printSchema(Supergraph.build(readFileSync(SUPERGRAPH_FILE, 'utf8')).apiSchema());
    expect(printed).not.toMatch(/\bgrant\b/);
    // Sanity: the chart types and fields clients do use are there.
    expect(printed).toContain('type AureliaChart implements HospitalChart');
    expect(printed).toMatch(/interface HospitalChart \{[\s\S]*observations\(first: Int = 20,/);
  });
});
