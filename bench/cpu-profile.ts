import { readFile } from 'node:fs/promises';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** Where a frame's code comes from: an npm package, a file of this project, or the runtime. */
function origin(frame: ProfileNode['callFrame']): string {
  if (!frame.url) return frame.functionName ? `(${frame.functionName.replace(/[()]/g, '')})` : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url);
  if (pkg) return pkg[1] as string;
  if (frame.url.startsWith('node:')) return frame.url;
  const own = /\/((?:lib|gateway|subgraphs|schema|sandbox|bench|scripts)\/.*)$/.exec(frame.url);
  return own ? (own[1] as string) : frame.url;
}

/**
 * Self time of a V8 CPU profile (.cpuprofile) grouped by package or file, biggest first:
 * `limit` lines such as ` 12.3%  graphql`.
 */
export async function summarizeProfile(file: string, limit: number): Promise<string[]> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node || node.callFrame.functionName === '(idle)') return;
    all += dt;
    const key = origin(node.callFrame);
    totals.set(key, (totals.get(key) ?? 0) + dt);
  });
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([key, t]) => `${((100 * t) / all).toFixed(1).padStart(5)}%  ${key}`);
}
