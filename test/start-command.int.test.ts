import { spawn, execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHARTS_QUERY, postGraphQL } from './helpers/stack.ts';

/**
 * `npm start` and `npm run token` as a user runs them: separate processes, the configured
 * ports, a real Ctrl-C (SIGINT) at the end that must stop every part and free every port.
 */
const run = promisify(execFile);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, 'localhost', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, 'localhost', () => s.close(() => resolve(true)));
  });
}

let dir: string;
let env: NodeJS.ProcessEnv;
let ports: number[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'fhir-graph-start-'));
  const config = JSON.parse(await readFile('config/hospitals.json', 'utf8')) as { hospitals: { fhirBaseUrl: string; subgraphUrl: string }[] };
  ports = [];
  for (const h of config.hospitals) {
    const [fhir, sub] = [await freePort(), await freePort()];
    ports.push(fhir, sub);
    h.fhirBaseUrl = `http://localhost:${fhir}/fhir`;
    h.subgraphUrl = `http://localhost:${sub}/graphql`;
  }
  const [gateway, sso, consent] = [await freePort(), await freePort(), await freePort()];
  ports.push(gateway, sso, consent);
  await writeFile(path.join(dir, 'hospitals.json'), JSON.stringify(config));
  env = { ...process.env, HOSPITALS_CONFIG: path.join(dir, 'hospitals.json'), DATA_DIR: path.join(dir, 'data'), PORT: String(gateway), SSO_PORT: String(sso), CONSENT_PORT: String(consent) };
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('npm start', () => {
  it('starts everything, prints where to go and how to log in, serves a token-holder, and stops on Ctrl-C', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setInterval(() => {
          if (out.includes('Press Ctrl-C to stop.')) {
            clearInterval(timer);
            resolve();
          }
        }, 100);
        void exited.then(() => reject(new Error(`start exited early:\n${out}`)));
      });
      expect(out).toContain(`GraphQL gateway   http://localhost:${env['PORT']}/graphql`);
      expect(out).toContain(`Sign-on (OIDC)    http://localhost:${env['SSO_PORT']}`);
      for (const account of ['alice', 'bob', 'drchen', 'drlin', 'analytics']) expect(out).toContain(account);

      const { stdout: token } = await run(process.execPath, ['--import', 'tsx', 'scripts/token.ts', 'alice'], { env });
      const res = await postGraphQL(`http://localhost:${env['PORT']}/graphql`, CHARTS_QUERY, token.trim());
      expect(res.status).toBe(200);
      expect((res.body.data as { me: { charts: unknown[] } }).me.charts).toHaveLength(3);

      const { stdout: serviceToken } = await run(process.execPath, ['--import', 'tsx', 'scripts/token.ts', 'analytics'], { env });
      expect(serviceToken.trim().split('.')).toHaveLength(3);
      await expect(run(process.execPath, ['--import', 'tsx', 'scripts/token.ts', 'nobody'], { env })).rejects.toMatchObject({ code: 64 });
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('stopped');
    for (const port of ports) expect(await portIsFree(port), `port ${port}`).toBe(true);
    // No stack traces or internals were printed along the way.
    expect(out).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
