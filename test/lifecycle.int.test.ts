import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './helpers/stack.ts';

/** What a load balancer and an operator see: health, readiness, and a shutdown that finishes what it started. */
describe('health and readiness', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  it('answers /healthz and /readyz on the gateway and every subgraph', async () => {
    const origins = [stack.gatewayUrl, ...Object.values(stack.subgraphUrls)].map((u) => new URL(u).origin);
    for (const origin of origins) {
      expect((await fetch(`${origin}/healthz`)).status, origin).toBe(200);
      const ready = await fetch(`${origin}/readyz`);
      expect(ready.status, origin).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready' });
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes requests in flight, then frees its ports', async () => {
    const stack = await startTestStack();
    const token = await stack.token('alice');
    await stack.gql('{ me { charts { hospital { id } } } }', token); // links found while all are up
    // A slow hospital keeps a request in flight for its whole budget (5 s).
    stack.sandboxes['cedarvale']!.setFault('slow');
    const inFlight = stack.gql('{ me { charts { hospital { id } observations(first: 1) { status } } } }', token);
    await new Promise((r) => setTimeout(r, 300));
    const closing = stack.stop();
    const res = await inFlight;
    expect(res.status).toBe(200);
    const charts = (res.body.data as { me: { charts: { hospital: { id: string }; observations: unknown[] | null }[] } }).me.charts;
    expect(charts.map((c) => c.hospital.id)).toEqual(['aurelia', 'brightwater', 'cedarvale']);
    expect(charts[0]!.observations).toHaveLength(1);
    await closing;
    await expect(fetch(`${new URL(stack.gatewayUrl).origin}/healthz`)).rejects.toThrow();
  });
});
