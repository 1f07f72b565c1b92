import { describe, expect, it } from 'vitest';
import { defaultQueryLimits } from '../gateway/query-limits.ts';
import { ConfigError, loadConfig, parseHospitals } from './config.ts';

const hospital = {
  id: 'north',
  name: 'North Hospital',
  typeName: 'NorthChart',
  fhirBaseUrl: 'http://fhir.north.invalid/r4',
  subgraphUrl: 'http://localhost:4100/graphql',
  identifierSystem: 'https://national-id.example/nid',
};

describe('hospitals config', () => {
  it('accepts a minimal hospital and fills defaults', () => {
    const [h] = parseHospitals({ hospitals: [hospital] });
    expect(h).toMatchObject({ id: 'north', auth: { type: 'none' }, timeoutMs: 5_000, retries: 2, circuitBreaker: { failureThreshold: 5, resetTimeoutMs: 30_000 } });
    expect(Object.isFrozen(h)).toBe(true);
  });

  it('names the dotted path of each problem', () => {
    const bad = { hospitals: [hospital, { ...hospital, id: 'south', typeName: 'south', fhirBaseUrl: 'not a url' }] };
    expect(() => parseHospitals(bad, 'hospitals.json')).toThrow(ConfigError);
    try {
      parseHospitals(bad, 'hospitals.json');
    } catch (err) {
      expect((err as Error).message).toContain('hospitals.json: hospitals[1].typeName');
      expect((err as Error).message).toContain('hospitals.json: hospitals[1].fhirBaseUrl');
    }
  });

  it('refuses duplicate ids and type names', () => {
    expect(() => parseHospitals({ hospitals: [hospital, hospital] })).toThrow(/duplicate id "north"[\s\S]*duplicate typeName/);
  });

  it('refuses an empty list and unknown auth types', () => {
    expect(() => parseHospitals({ hospitals: [] })).toThrow(ConfigError);
    expect(() => parseHospitals({ hospitals: [{ ...hospital, auth: { type: 'magic' } }] })).toThrow(/hospitals\[0\]\.auth/);
  });
});

describe('environment', () => {
  it('defaults to the embedded issuer and the checked-in hospitals file', () => {
    const config = loadConfig({});
    expect(config.issuer).toBe('http://localhost:4010');
    expect(config.embeddedSso).toBe(true);
    expect(config.gatewayPort).toBe(4000);
    expect(config.hospitals.length).toBeGreaterThanOrEqual(3);
    expect(config.databaseUrl).toBeUndefined();
  });

  it('defaults the query limits to the ones the gateway was measured with', () => {
    expect(loadConfig({}).limits).toMatchObject(defaultQueryLimits);
    expect(loadConfig({ MAX_DEPTH: '8', MAX_COST: '1000' }).limits).toMatchObject({ maxDepth: 8, maxCost: 1000 });
  });

  it('uses an external issuer and database when configured', () => {
    const config = loadConfig({ OIDC_ISSUER: 'https://login.example.org/realms/care', DATABASE_URL: 'postgres://db.invalid/consent', PORT: '8080' });
    expect(config).toMatchObject({ issuer: 'https://login.example.org/realms/care', embeddedSso: false, gatewayPort: 8080, databaseUrl: 'postgres://db.invalid/consent' });
  });

  it('fails fast on a bad value, naming it', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/env: PORT/);
    expect(() => loadConfig({ HOSPITALS_CONFIG: 'no/such/file.json' })).toThrow(/no\/such\/file.json: cannot be read/);
  });
});
