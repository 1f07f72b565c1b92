/**
 * A typed FHIR search: GraphQL arguments are parsed into this once, then formatted
 * as a query string for whichever server receives it.
 */
export interface SearchRequest {
  readonly resourceType: string;
  /** Search parameters in order; repeated codes are ANDed, comma values ORed (FHIR semantics). */
  readonly filters: readonly { readonly code: string; readonly value: string }[];
  readonly sort?: readonly string[];
  readonly count?: number;
}

export function formatSearch(req: SearchRequest): string {
  const params = new URLSearchParams();
  for (const { code, value } of req.filters) params.append(code, value);
  if (req.sort?.length) params.set('_sort', req.sort.join(','));
  if (req.count !== undefined) params.set('_count', String(req.count));
  const qs = params.toString();
  return qs ? `${req.resourceType}?${qs}` : req.resourceType;
}
