import { Agent, request } from 'undici';
import { readBody } from './respond.ts';

/**
 * The HTTP client of the request path: the gateway's calls to subgraphs and the hospital
 * subgraphs' calls to FHIR servers. undici's `request` over one keep-alive pool per
 * origin instead of the global `fetch`: fetch builds WHATWG Request/Response objects,
 * streams and abort signals for every call, which the CPU profile of the dashboard put at
 * about a tenth of the graph's time (bench/README.md). Calls off the request path (issuer
 * discovery, readiness, refusal reports) keep using `fetch`.
 */
const agent = new Agent({
  keepAliveTimeout: 30_000,
  keepAliveMaxTimeout: 60_000,
  // Hospitals in parallel, several searches each: enough sockets that none waits behind another.
  connections: 256,
});

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body as text (UTF-8). */
  readonly text: string;
}

export class HttpCallError extends Error {
  constructor(
    message: string,
    /** The time budget ran out (rather than the connection failing). */
    readonly timeout: boolean,
  ) {
    super(message);
    this.name = 'HttpCallError';
  }
}

export interface HttpCall {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Budget for the whole exchange, headers and body. */
  timeoutMs: number;
  /** Largest answer body read (bytes); a longer one fails the call. Default 32 MiB. */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 32 * 2 ** 20;

/**
 * One HTTP exchange, the body read in full; throws HttpCallError when no answer came within
 * the budget or the body is longer than `maxBytes` (a runaway server must not fill memory).
 */
export async function httpCall(url: string, call: HttpCall): Promise<HttpAnswer> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, call.timeoutMs);
  try {
    const res = await request(url, {
      dispatcher: agent,
      method: call.method ?? 'GET',
      headers: call.headers,
      body: call.body,
      signal: controller.signal,
    });
    const limit = call.maxBytes ?? DEFAULT_MAX_BYTES;
    const text = await readBody(res.body, limit);
    if (text === undefined) {
      res.body.destroy();
      throw new HttpCallError(`answer larger than ${limit} bytes`, false);
    }
    return { status: res.statusCode, headers: res.headers, text };
  } catch (err) {
    if (err instanceof HttpCallError) throw err;
    throw new HttpCallError(timedOut ? 'request timed out' : `request failed: ${(err as Error).name}`, timedOut);
  } finally {
    clearTimeout(timer);
  }
}
