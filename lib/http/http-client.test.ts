import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpCall, HttpCallError } from './http-client.ts';

/** A server answering a body of the asked size (`/?bytes=N`), or never (`/hang`). */
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hang') return;
    const bytes = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('bytes') ?? 0);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('x'.repeat(bytes));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('the request-path HTTP client', () => {
  it('reads an answer whole, up to the limit', async () => {
    const answer = await httpCall(`${base}/?bytes=100000`, { timeoutMs: 5_000, maxBytes: 100_000 });
    expect(answer.status).toBe(200);
    expect(answer.text).toHaveLength(100_000);
  });

  it('refuses an answer longer than the limit instead of holding it in memory', async () => {
    const err = await httpCall(`${base}/?bytes=2000000`, { timeoutMs: 5_000, maxBytes: 1_000_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpCallError);
    expect((err as HttpCallError).message).toBe('answer larger than 1000000 bytes');
    expect((err as HttpCallError).timeout).toBe(false);
    // The pool is still usable afterwards.
    expect((await httpCall(`${base}/?bytes=10`, { timeoutMs: 5_000 })).text).toBe('x'.repeat(10));
  });

  it('gives up when the budget runs out, and says it was a timeout', async () => {
    const started = Date.now();
    const err = await httpCall(`${base}/hang`, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpCallError);
    expect((err as HttpCallError).timeout).toBe(true);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('reports a refused connection as a failure, not a timeout', async () => {
    const err = await httpCall('http://127.0.0.1:1/', { timeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpCallError);
    expect((err as HttpCallError).timeout).toBe(false);
  });
});
