import type { Caller } from '../../lib/auth/access-token.ts';
import type { HospitalConfig } from '../../lib/config.ts';
import type { GrantSigner } from '../../lib/grants.ts';
import type { Logger } from '../../lib/log.ts';
import type { LinkResolver } from './links.ts';
import type { ConsentStore } from './store.ts';

export interface ConsentContext {
  readonly caller: Caller;
  readonly store: ConsentStore;
  readonly links: LinkResolver;
  readonly grants: GrantSigner;
  readonly hospitals: readonly HospitalConfig[];
  readonly log: Logger;
}
