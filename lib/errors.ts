import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/**
 * The error catalogue: every error a client can see has one of these codes in
 * `extensions.code`, and the HTTP status it maps to when it ends a request.
 * Anything else is masked as INTERNAL_SERVER_ERROR (see `createErrorMasker`).
 */
export const ErrorCodes = {
  /** No token, or a token that fails verification. */
  UNAUTHENTICATED: 401,
  /** A field or type the caller's scopes do not cover (Apollo Router's code). */
  UNAUTHORIZED_FIELD_OR_TYPE: 403,
  /** Authenticated, but this caller may not do this. */
  FORBIDDEN: 403,
  /** Input the API cannot accept. */
  BAD_USER_INPUT: 400,
  /** No such thing, or none this caller may see (indistinguishable on purpose). */
  NOT_FOUND: 404,
  /** A document over the cost limit (refused before any work). */
  QUERY_TOO_COMPLEX: 400,
  /** A hospital's FHIR server failed or answered something unusable. */
  HOSPITAL_UNAVAILABLE: 502,
  /** A hospital's FHIR server did not answer in time. */
  HOSPITAL_TIMEOUT: 504,
  /** Anything unexpected; details are logged, never sent. */
  INTERNAL_SERVER_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

function apiError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/** Ends the whole request with 401 and a Bearer challenge (RFC 6750). */
export function unauthenticated(message = 'A valid access token is required'): GraphQLError {
  return apiError('UNAUTHENTICATED', message, {
    http: { status: 401, headers: new Map([['www-authenticate', 'Bearer error="invalid_token"']]) },
  });
}

export function forbidden(message: string, status?: number): GraphQLError {
  return apiError('FORBIDDEN', message, status ? { http: { status } } : {});
}

export function badUserInput(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return apiError('BAD_USER_INPUT', message, extensions);
}

/** A hospital's failure, tagged with the hospital id and nothing about its internals. */
export function hospitalUnavailable(hospital: string, timeout = false): GraphQLError {
  return timeout
    ? apiError('HOSPITAL_TIMEOUT', `Hospital ${hospital} did not answer in time`, { hospital })
    : apiError('HOSPITAL_UNAVAILABLE', `Hospital ${hospital} is unavailable`, { hospital });
}

const knownCodes = new Set<string>(Object.keys(ErrorCodes));

/**
 * Apollo Server `formatError`: errors with a catalogue code pass through (without
 * stack traces); everything else, and every internal error whatever its code, becomes a
 * generic internal error, so no internal message, SQL or upstream body reaches a client.
 * Internal errors are logged by kind only: their messages may quote stored values.
 */
export function createErrorMasker(log?: { error(msg: string, fields?: Record<string, unknown>): void }) {
  return (formatted: GraphQLFormattedError, error?: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.['code'];
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR' && (knownCodes.has(code) || apolloRequestCodes.has(code))) {
      return { ...formatted, extensions };
    }
    // A subgraph's internal error reaches the gateway already masked and logged there.
    if (log && !extensions['serviceName']) {
      const original = (error as { originalError?: { name?: string; code?: unknown } } | undefined)?.originalError;
      log.error('internal error', { kind: original?.name ?? 'Error', ...(typeof original?.code === 'string' ? { sqlstate: original.code } : {}), path: formatted.path });
    }
    return { message: 'Internal server error', ...(formatted.path ? { path: formatted.path } : {}), extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/** Codes Apollo Server itself gives to malformed requests; safe to show as they are. */
export const apolloRequestCodes = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * A field the caller's token scopes do not cover: Apollo Router's code and shape, so the
 * field is null with this error at its path and the rest of the answer still comes.
 */
export function unauthorizedField(message = 'Your token does not allow reading this field'): GraphQLError {
  return apiError('UNAUTHORIZED_FIELD_OR_TYPE', message);
}

/** Something that does not exist, or that this caller may not know exists: the same answer. */
export function notFound(message: string): GraphQLError {
  return apiError('NOT_FOUND', message);
}
