import type { Caller } from '../../lib/auth/access-token.ts';
import type { HospitalConfig } from '../../lib/config.ts';
import type { GrantSigner } from '../../lib/grants.ts';
import type { Logger } from '../../lib/log.ts';
import type { RuleContext } from '../../lib/rules/common.ts';
import type { ConsentRecords } from './consent-store.ts';
import type { LinkResolver } from './links.ts';
import type { PeopleStore } from './people-store.ts';

export interface ConsentContext extends RuleContext {
  readonly caller: Caller;
  readonly people: PeopleStore;
  readonly records: ConsentRecords;
  readonly links: LinkResolver;
  readonly grants: GrantSigner;
  readonly hospitals: readonly HospitalConfig[];
  /** Key of the per-client pseudonyms given to service callers. */
  readonly pseudonymKey: string;
  readonly grantLifetimeSec: number;
  readonly log: Logger;
}
