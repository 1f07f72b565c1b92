import type { Access } from '../../lib/auth/access.ts';
import type { Caller } from '../../lib/auth/access-token.ts';
import type { HospitalConfig } from '../../lib/config.ts';
import type { CursorCodec } from '../../lib/cursor.ts';
import type { FhirClient } from '../../lib/fhir/client.ts';
import type { GrantVerifier } from '../../lib/grants.ts';
import type { Logger } from '../../lib/log.ts';
import type { RuleContext } from '../../lib/rules/common.ts';
import type { ChartReader } from './chart-reader.ts';
import { HospitalLoaders } from './hospital-loaders.ts';

export interface HospitalContext extends RuleContext {
  readonly caller: Caller;
  readonly hospital: HospitalConfig;
  readonly verifyGrant: GrantVerifier;
  /** Fresh per request: DataLoader caches must never outlive one caller's request. */
  readonly loaders: HospitalLoaders;
  readonly cursors: CursorCodec;
  /** The chart reader each returned Reference came from. */
  readonly owners: WeakMap<object, ChartReader>;
  readonly log: Logger;
}

export function hospitalContext(caller: Caller, access: Access, hospital: HospitalConfig, fhir: FhirClient, verifyGrant: GrantVerifier, cursors: CursorCodec, log: Logger): HospitalContext {
  return { caller, access, hospital, verifyGrant, cursors, log, loaders: new HospitalLoaders(fhir, hospital.id, log), owners: new WeakMap() };
}
