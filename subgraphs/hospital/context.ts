import type { Access } from '../../lib/auth/access.ts';
import type { Caller } from '../../lib/auth/access-token.ts';
import type { HospitalConfig } from '../../lib/config.ts';
import type { FhirClient } from '../../lib/fhir/client.ts';
import type { GrantVerifier } from '../../lib/grants.ts';
import type { Logger } from '../../lib/log.ts';
import type { RuleContext } from '../../lib/rules/common.ts';
import { HospitalLoaders } from './chart-reader.ts';

export interface HospitalContext extends RuleContext {
  readonly caller: Caller;
  readonly hospital: HospitalConfig;
  readonly verifyGrant: GrantVerifier;
  /** Fresh per request: DataLoader caches must never outlive one caller's request. */
  readonly loaders: HospitalLoaders;
  readonly log: Logger;
}

export function hospitalContext(caller: Caller, access: Access, hospital: HospitalConfig, fhir: FhirClient, verifyGrant: GrantVerifier, log: Logger): HospitalContext {
  return { caller, access, hospital, verifyGrant, loaders: new HospitalLoaders(fhir, hospital.id, log), log };
}
