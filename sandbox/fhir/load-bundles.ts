import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Bundle, FhirResource } from 'fhir/r4.js';

/**
 * Reads a folder of FHIR R4 JSON files (Synthea output, spec examples, exports) into
 * resources a sandbox server can serve: Bundles are unpacked, and references are made
 * resolvable as a server would on a transaction — `urn:uuid:` full URLs and conditional
 * references (`Practitioner?identifier=system|value`) become `Type/id`.
 */
export interface LoadResult {
  resources: FhirResource[];
  files: number;
  /** Files skipped because they are not FHIR JSON. */
  skipped: string[];
}

export function loadFhirFolder(dir: string): LoadResult {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && statSync(path.join(dir, f)).isFile()).sort();
  const resources: FhirResource[] = [];
  const fullUrls = new Map<string, string>();
  const skipped: string[] = [];
  for (const file of files) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    } catch {
      skipped.push(file);
      continue;
    }
    const r = json as FhirResource;
    if (typeof r?.resourceType !== 'string') {
      skipped.push(file);
      continue;
    }
    if (r.resourceType === 'Bundle') {
      for (const entry of (r as Bundle).entry ?? []) {
        const res = entry.resource;
        if (!res?.resourceType) continue;
        if (!res.id) res.id = entry.fullUrl?.replace(/^urn:uuid:/, '').replace(/[^A-Za-z0-9\-.]/g, '').slice(-64) || `${res.resourceType.toLowerCase()}-${resources.length}`;
        if (entry.fullUrl) fullUrls.set(entry.fullUrl, `${res.resourceType}/${res.id}`);
        resources.push(res as FhirResource);
      }
    } else if (r.id) {
      resources.push(r);
    } else {
      skipped.push(file);
    }
  }
  const byIdentifier = new Map<string, string>();
  for (const r of resources) {
    for (const id of (r as { identifier?: { system?: string; value?: string }[] }).identifier ?? []) {
      if (id.system && id.value) byIdentifier.set(`${r.resourceType}?identifier=${id.system}|${id.value}`, `${r.resourceType}/${r.id}`);
    }
  }
  const rewrite = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(rewrite);
    const ref = (value as { reference?: unknown }).reference;
    if (typeof ref === 'string') {
      const target = fullUrls.get(ref) ?? byIdentifier.get(ref);
      if (target) (value as { reference: string }).reference = target;
    }
    Object.values(value).forEach(rewrite);
  };
  resources.forEach(rewrite);
  // Later files win for the same Type/id, as repeated PUTs would.
  const unique = new Map(resources.map((r) => [`${r.resourceType}/${r.id}`, r]));
  return { resources: [...unique.values()], files: files.length, skipped };
}
