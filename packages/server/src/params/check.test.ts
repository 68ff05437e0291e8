import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { checkerOf, parameterChecker } from './check.js';
import { SEVERITY, SPAN_FILTER, TRACE_PATH, limit, oneOf } from './parameters.js';

const PARTS = { querystring: 'query', params: 'path', body: 'body' } as const;

type Checked = { value?: unknown; error?: { code: string; message: string; status: number } };

/** Runs the check of `schema` for one part of a request, as the API's validator does (`api/validation.ts`). */
function validate(schema: object, httpPart: keyof typeof PARTS, data: unknown): Checked {
  return checkerOf(schema, PARTS[httpPart], 'this endpoint')(data) as Checked;
}

/** Query text as Fastify's parser leaves it: an object without a prototype. */
const query = (entries: Record<string, string | string[]>): Record<string, unknown> => Object.assign(Object.create(null) as Record<string, unknown>, entries);

const LIST = Type.Object({ ...SPAN_FILTER, severity: Type.Optional(SEVERITY), limit: limit({ fallback: 50, max: 1000 }) }, { additionalProperties: false });

describe('query parameters', () => {
  it.each([
    ['1e300'],
    ['-1e300'],
    ['0x10'],
    ['1_000'],
    ['NaN'],
    ['Infinity'],
    [' '],
    [''],
    ['99999999999999999999999'],
    ['1.5'],
    ['-0'],
    ['0'],
    ['1001'],
    ['10 '],
  ])('refuses limit=%j with a 400 that names it and says what it must be', (text) => {
    const { error } = validate(LIST, 'querystring', query({ limit: text }));
    expect(error).toMatchObject({ code: 'ERR_INVALID_PARAMETER', status: 400, message: `'limit' must be an integer from 1 to 1000, not '${text}'` });
  });

  it('takes numbers written in decimal, and -0 as 0 where 0 is allowed', () => {
    expect(validate(LIST, 'querystring', query({ limit: '7', minDurationMs: '0.5', maxDurationMs: '-0' })).value).toEqual({
      limit: 7,
      minDurationMs: 0.5,
      maxDurationMs: -0,
    });
    expect(validate(LIST, 'querystring', query({ minDurationMs: '0x10' })).error?.message).toBe(
      "'minDurationMs' must be a number of milliseconds from 0 to 253402300800000, not '0x10'",
    );
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'colour'])('names %s as a parameter it does not take, with those it does', (name) => {
    const { error } = validate(LIST, 'querystring', query({ [name]: '1' }));
    expect(error?.message).toMatch(new RegExp(`^'${name}' is not a parameter of this endpoint \\(known: from, to, service, `));
  });

  it("checks an MCP tool's arguments as parameters: JSON values taken as they are, an unknown one named as not the tool's", () => {
    const check = parameterChecker(LIST, 'the tool search_traces');
    expect(check({ limit: 7, attr: 'k=v', status: 'error' })).toEqual({ value: { limit: 7, attr: ['k=v'], status: 'error' } });
    expect(check({ limit: 0 })).toMatchObject({ error: { message: "'limit' must be an integer from 1 to 1000, not '0'" } });
    expect(check(JSON.parse('{"__proto__": 1}'))).toMatchObject({
      error: { message: expect.stringMatching(/^'__proto__' is not a parameter of the tool search_traces \(known: from, to, /) },
    });
  });

  it.each(['__proto__', 'constructor', 'toString'])('takes %s as a value where any text goes, and refuses it where a name is expected', (value) => {
    expect(validate(LIST, 'querystring', query({ service: value, attr: `${value}=x` })).value).toEqual({ service: value, attr: [`${value}=x`] });
    expect(validate(LIST, 'querystring', query({ status: value })).error?.message).toBe(`'status' must be one of ok, error, not '${value}'`);
  });

  it('says a parameter may be given once, and takes a repeatable one once or more', () => {
    expect(validate(LIST, 'querystring', query({ limit: ['1', '2'] })).error?.message).toBe("'limit' may be given only once");
    expect(validate(LIST, 'querystring', query({ attr: 'a=1' })).value).toEqual({ attr: ['a=1'] });
    // A value may hold commas: only lists of names are split at them.
    expect(validate(LIST, 'querystring', query({ attr: ['tags=a,b', 'k=v'] })).value).toEqual({ attr: ['tags=a,b', 'k=v'] });
    expect(validate(LIST, 'querystring', query({ attr: 'tenant' })).error?.message).toBe("'attr' must be key=value, not 'tenant'");
  });

  it('says how many times a repeatable parameter may be given, and how many items a body list may hold', () => {
    const attrs = Array.from({ length: 21 }, (_, i) => `k${i}=v`);
    expect(validate(LIST, 'querystring', query({ attr: attrs })).error?.message).toBe("'attr' may be given at most 20 times, not 21");
    expect(validate(LIST, 'querystring', query({ attr: attrs.slice(0, 20) })).value).toEqual({ attr: attrs.slice(0, 20) });
    const body = Type.Object({ names: Type.Array(Type.String(), { maxItems: 2 }) });
    expect(validate(body, 'body', { names: ['a', 'b', 'c'] }).error?.message).toBe("'names' must hold at most 2 items, not 3");
  });

  it('reads a list of names repeated or separated by commas, and names the wrong one', () => {
    const states = Type.Object({ state: Type.Optional(Type.Array(oneOf(['pending', 'firing', 'resolved']))) }, { additionalProperties: false });
    expect(validate(states, 'querystring', query({ state: ['pending,firing', 'resolved'] })).value).toEqual({ state: ['pending', 'firing', 'resolved'] });
    expect(validate(states, 'querystring', query({ state: 'firing,bogus' })).error?.message).toBe(
      "'state' must be one of pending, firing, resolved, not 'bogus'",
    );
  });

  it('reads true and false as booleans, and nothing else', () => {
    const flags = Type.Object({ root: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
    expect(validate(flags, 'querystring', query({ root: 'true' })).value).toEqual({ root: true });
    expect(validate(flags, 'querystring', query({ root: '1' })).error?.message).toBe("'root' must be true or false, not '1'");
  });

  it('says an empty text must not be empty, and a missing one is required with what it is', () => {
    expect(validate(LIST, 'querystring', query({ service: '' })).error?.message).toBe("'service' must not be empty");
    const named = Type.Object({ name: Type.String({ minLength: 1, description: "the metric's name" }) }, { additionalProperties: false });
    expect(validate(named, 'querystring', query({})).error?.message).toBe("'name' is required: the metric's name");
  });

  it('cuts a long value short in its message', () => {
    const { error } = validate(LIST, 'querystring', query({ severity: 'x'.repeat(5000) }));
    expect(error?.message.length).toBeLessThan(250);
    expect(error?.message).toMatch(/^'severity' must be one of trace, debug, .*, not 'x{100}…'$/);
  });

  it('names a path parameter that is not what it must be', () => {
    expect(validate(TRACE_PATH, 'params', { traceId: 'not-hex' }).error).toMatchObject({
      code: 'ERR_INVALID_PARAMETER',
      message: "'traceId' must be 32 hex characters, not 'not-hex'",
    });
  });
});

describe('bodies', () => {
  const KEY = Type.Object(
    {
      role: oneOf(['ingest', 'read', 'admin'], { description: 'what the key may do' }),
      limits: Type.Optional(Type.Object({ perSecond: Type.Number({ minimum: 0 }) }, { additionalProperties: false })),
      matchers: Type.Optional(Type.Array(Type.Object({ op: oneOf(['=', '!=']) }, { additionalProperties: false }), { minItems: 1 })),
      labels: Type.Optional(Type.Record(Type.String(), Type.String())),
    },
    { title: 'Key', additionalProperties: false },
  );

  it.each([
    [[1], 'the body of a key must be a JSON object'],
    ['text', 'the body of a key must be a JSON object'],
    [null, 'the body of a key must be a JSON object'],
    [{}, "'role' is required: what the key may do"],
    [{ role: 'owner' }, "'role' must be one of ingest, read, admin, not 'owner'"],
    [{ role: 'read', name: 'x' }, "'name' is not a field of a key (known: role, limits, matchers, labels)"],
    [{ role: 'read', limits: { perSecond: -1 } }, "'limits.perSecond' must be a number of at least 0, not '-1'"],
    [{ role: 'read', limits: { burst: 1 } }, "'burst' is not a field of 'limits' (known: perSecond)"],
    [{ role: 'read', matchers: [] }, "'matchers' must be a non-empty list, each item an object, not '[]'"],
    [{ role: 'read', matchers: [{ op: '=' }, { op: '~' }] }, "'matchers[1].op' must be one of =, !=, not '~'"],
    [{ role: 'read', labels: { team: 1 } }, "'labels.team' must be text, not '1'"],
  ])('refuses %j with a 400 that names the field', (body, message) => {
    expect(validate(KEY, 'body', body).error).toMatchObject({ code: 'ERR_BAD_REQUEST', status: 400, message });
  });

  it("answers with a body's own code where it says one", () => {
    const update = Type.Object(
      { status: oneOf(['resolved', 'ignored']) },
      { title: 'Error group update', additionalProperties: false, 'x-error-code': 'ERR_INVALID_PARAMETER' },
    );
    expect(validate(update, 'body', { status: 'x' }).error).toMatchObject({
      code: 'ERR_INVALID_PARAMETER',
      message: "'status' must be one of resolved, ignored, not 'x'",
    });
    expect(validate(update, 'body', []).error?.message).toBe('the body of an error group update must be a JSON object');
  });

  it('takes a body as it is, converting nothing', () => {
    expect(validate(KEY, 'body', { role: 'read', labels: { n: '1' } }).value).toEqual({ role: 'read', labels: { n: '1' } });
    expect(validate(Type.Object({ n: Type.Number() }), 'body', { n: '1' }).error?.message).toBe("'n' must be a number, not '1'");
  });
});
