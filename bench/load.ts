import { performance } from 'node:perf_hooks';

/** `--name value` from the command line, or the fallback. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** The p-th percentile of ascending latencies. */
export const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/**
 * Closed-loop users: `connections` of them run `op` back to back for `seconds`, and on
 * until at least `minOps` have finished. `op` may return the response bytes it read.
 */
export async function closedLoop(connections: number, op: () => Promise<number | void>, seconds: number, minOps: number): Promise<{ latencies: number[]; bytes: number; wallSec: number }> {
  const latencies: number[] = [];
  let bytes = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < end || latencies.length < minOps) {
      const t = performance.now();
      const b = await op();
      latencies.push(performance.now() - t);
      bytes += b ?? 0;
    }
  }));
  return { latencies: latencies.sort((a, b) => a - b), bytes, wallSec: (performance.now() - started) / 1000 };
}
