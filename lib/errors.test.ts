import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apolloRequestCodes, createErrorMasker, ErrorCodes } from './errors.ts';

const readme = readFileSync('README.md', 'utf8');
const table = readme.slice(readme.indexOf('### Error codes'), readme.indexOf('### Tokens'));

describe('the error catalogue', () => {
  it('is documented in the README, code for code, and nothing else is', () => {
    const documented = [...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(ErrorCodes).sort());
    for (const code of apolloRequestCodes) expect(table).toContain(`\`${code}\``);
  });

  it('passes catalogue errors, without stack traces, and masks everything else', () => {
    const mask = createErrorMasker();
    expect(mask({ message: 'No such consent', extensions: { code: 'NOT_FOUND', stacktrace: ['at x'] } })).toEqual({ message: 'No such consent', extensions: { code: 'NOT_FOUND' } });
    expect(mask({ message: 'duplicate key value violates unique constraint "person_pkey"', path: ['me'], extensions: { code: 'INTERNAL_SERVER_ERROR' } })).toEqual({ message: 'Internal server error', path: ['me'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(mask({ message: 'ECONNREFUSED 10.0.0.1:5432', extensions: { code: 'SOMETHING_ELSE' } })).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(mask({ message: 'no code at all' })).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });
});
