import type { Caller } from '../lib/auth/access-token.ts';

export interface GatewayContext {
  /** The verified caller; the gateway refuses a request (401) before building a context without one. */
  readonly caller: Caller;
  /** Correlates gateway and subgraph logs; never contains PHI. */
  readonly requestId: string;
}
