import type { Fetcher, FetcherResponse } from '@apollo/utils.fetcher';
import { httpCall, type HttpAnswer } from '../lib/http/http-client.ts';

/**
 * The gateway's fetcher for subgraph calls, on the shared keep-alive HTTP client
 * (lib/http/http-client.ts) instead of the default make-fetch-happen. Apollo's data source
 * reads only the status, a header or two and the body, so the answer is a small object
 * with the fetcher interface rather than a WHATWG Response.
 */
export function subgraphFetcher(timeoutMs: number): Fetcher {
  return async (url, init) => {
    const body = init?.body;
    const answer = await httpCall(url, {
      method: init?.method === 'GET' ? 'GET' : 'POST',
      ...(init?.headers ? { headers: init.headers } : {}),
      ...(body !== undefined ? { body: typeof body === 'string' ? body : body.toString('utf8') } : {}),
      timeoutMs,
    });
    return fetcherResponse(url, answer);
  };
}

function fetcherResponse(url: string, answer: HttpAnswer): FetcherResponse {
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const response: FetcherResponse = {
    bodyUsed: false,
    url,
    redirected: false,
    status: answer.status,
    ok: answer.status >= 200 && answer.status < 300,
    statusText: '',
    // Node's Headers has every method the interface names; its TypeScript types lack the iterators.
    headers: headers as unknown as FetcherResponse['headers'],
    text: async () => answer.text,
    json: async () => JSON.parse(answer.text) as unknown,
    arrayBuffer: async () => new TextEncoder().encode(answer.text).buffer as ArrayBuffer,
    clone: () => fetcherResponse(url, answer),
  };
  return response;
}
