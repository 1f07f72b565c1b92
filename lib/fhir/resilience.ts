import CircuitBreaker from 'opossum';
import { FhirError } from './client-error.ts';

export interface ResilienceOptions {
  /** Budget of one call, every attempt and pause included. */
  timeoutMs: number;
  retries: number;
  breaker?: { failureThreshold: number; resetTimeoutMs: number };
}

type Attempt<A, T> = (call: A, budgetMs: number) => Promise<T>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Wraps an idempotent read (a GET, or a batch of GETs): retried with exponential backoff and full jitter while the
 * time budget lasts (a timeout has used the budget up, so it is not retried), behind a
 * circuit breaker (opossum) that fails fast while a server keeps failing and lets one
 * probe through after its reset time.
 */
export function resilientCall<A, T>(attempt: Attempt<A, T>, options: ResilienceOptions): (call: A) => Promise<T> {
  const breakerOptions = options.breaker ?? { failureThreshold: 5, resetTimeoutMs: 30_000 };
  const breaker = new CircuitBreaker(attempt, {
    timeout: false, // the attempt has its own deadline
    resetTimeout: breakerOptions.resetTimeoutMs,
    // Open once most recent calls failed and there were enough of them.
    volumeThreshold: breakerOptions.failureThreshold,
    errorThresholdPercentage: 50,
    rollingCountTimeout: 10_000,
    // Answers the server meant (4xx) are not failures of the server.
    errorFilter: (err: unknown) => err instanceof FhirError && err.status >= 400 && err.status < 500 && err.status !== 429,
  });

  return async (call) => {
    const deadline = Date.now() + options.timeoutMs;
    for (let tries = 0; ; tries++) {
      const budget = deadline - Date.now();
      if (budget <= 0) throw new FhirError('FHIR request timed out', 0, true);
      try {
        return (await breaker.fire(call, budget)) as T;
      } catch (err) {
        if ((err as { code?: string }).code === 'EOPENBREAKER') throw new FhirError('FHIR server is failing; not called for now', 0);
        if (!(err instanceof FhirError) || err.timeout || tries >= options.retries) throw err;
        const pause = Math.random() * Math.min(1_000, 100 * 2 ** tries);
        if (Date.now() + pause >= deadline) throw err;
        await sleep(pause);
      }
    }
  };
}
