import type { Access } from '../../lib/auth/access.ts';
import type { Caller } from '../../lib/auth/access-token.ts';
import type { HospitalConfig } from '../../lib/config.ts';
import type { CursorCodec } from '../../lib/cursor.ts';
import type { FhirClient } from '../../lib/fhir/client.ts';
import DataLoader from 'dataloader';
import type { Grant, GrantVerifier } from '../../lib/grants.ts';
import type { Logger } from '../../lib/log.ts';
import type { RuleContext } from '../../lib/rules/common.ts';
import type { ChartReader } from './chart-reader.ts';
import { HospitalLoaders } from './hospital-loaders.ts';

export interface HospitalContext extends RuleContext {
  readonly caller: Caller;
  readonly hospital: HospitalConfig;
  /**
   * The request's chart grants, verified together: every chart then reads its Patient in
   * the same tick, so one `_id` search serves them all. Verified one by one, fresh grants
   * (signature checks finishing at different times) split that search into one per chart.
   */
  readonly grants: DataLoader<string, Grant | undefined>;
  /** Fresh per request: DataLoader caches must never outlive one caller's request. */
  readonly loaders: HospitalLoaders;
  readonly cursors: CursorCodec;
  /** The chart reader each returned Reference came from. */
  readonly owners: WeakMap<object, ChartReader>;
  readonly log: Logger;
}

export function hospitalContext(caller: Caller, access: Access, hospital: HospitalConfig, fhir: FhirClient, verifyGrant: GrantVerifier, cursors: CursorCodec, log: Logger): HospitalContext {
  const grants = new DataLoader<string, Grant | undefined>((jwss) => Promise.all(jwss.map((jws) => verifyGrant(jws, caller.token, caller.subject))));
  return { caller, access, hospital, grants, cursors, log, loaders: new HospitalLoaders(fhir, hospital.id, log), owners: new WeakMap() };
}
