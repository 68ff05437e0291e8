import { describe, expect, it } from 'vitest';
import { validateRedactOptions } from './options.js';

describe('validateRedactOptions', () => {
  it.each<[string, unknown]>([
    ['no options', undefined],
    ['empty options', {}],
    ['every option', { detectors: ['email', 'ip'], mode: 'hash', hashSalt: 's', rules: [{ name: 'ssn', pattern: /\d{3}-\d{2}-\d{4}/, mode: 'drop' }] }],
    ['no detectors', { detectors: [] }],
    ['a key-only rule', { rules: [{ name: 'tenant', key: /^tenant\./ }] }],
    ['a rule with both pattern and key', { rules: [{ name: 'ssn', pattern: /\d{9}/, key: 'ssn' }] }],
    [
      'a pattern and a key another engine compiled',
      { rules: [{ name: 'ssn', pattern: { source: 'x', find: () => null }, key: { source: 'k', find: () => null } }] },
    ],
  ])('accepts %s', (_what, options) => {
    expect(() => validateRedactOptions(options)).not.toThrow();
  });

  it.each<[string, unknown, string]>([
    ['options that are not an object', 'mask', "must be an object such as { mode: 'mask' }, not 'mask'"],
    ['an array for options', [], 'must be an object such as'],
    ['a misspelt option', { detector: ['email'] }, "has no option 'detector'; the options are detectors, mode, rules, hashSalt"],
    ['an unknown detector', { detectors: ['email', 'ssn'] }, "detectors[1] is 'ssn'; use any of bearer, jwt, apiKey, email, card, phone, ip (or [] for none)"],
    ['detectors given as a string', { detectors: 'email' }, "detectors must be an array of detector names, not 'email'"],
    ['a bad mode', { mode: 'redact' }, "mode is 'redact'; use 'mask', 'hash' or 'drop'"],
    ['a salt that is not a string', { hashSalt: 42 }, 'hashSalt must be a string, not number 42'],
    ['rules given as an object', { rules: { name: 'x' } }, 'rules must be an array such as'],
    ['a rule that is not an object', { rules: ['ssn'] }, "rules[0] must be an object with a name and a pattern or key, not 'ssn'"],
    ['a rule without a name', { rules: [{ pattern: /x/ }] }, "rules[0].name must be a non-empty label such as 'ssn', not undefined"],
    [
      'a rule with neither pattern nor key',
      { rules: [{ name: 'ssn' }] },
      "rules[0] ('ssn') needs a pattern (to find values) or a key (to hide a field), or both",
    ],
    ['a pattern given as a string', { rules: [{ name: 'ssn', pattern: '\\d+' }] }, "rules[0] ('ssn').pattern must be a RegExp (or a TextPattern), not '\\d+'"],
    ['a pattern that matches the empty string', { rules: [{ name: 'x', pattern: /a*/ }] }, "rules[0] ('x').pattern /a*/ matches the empty string"],
    [
      'a compiled pattern that matches the empty string',
      { rules: [{ name: 'x', pattern: { source: 'a*', find: () => ({ start: 0, end: 0 }) } }] },
      "rules[0] ('x').pattern 'a*' matches the empty string",
    ],
    ['an empty key', { rules: [{ name: 'x', key: '' }] }, "rules[0] ('x').key must be a non-empty key name or a RegExp (or a TextPattern), not ''"],
    ['a bad rule mode', { rules: [{ name: 'x', key: 'k', mode: 'hide' }] }, "rules[0] ('x').mode is 'hide'; use 'mask', 'hash' or 'drop'"],
    ['a misspelt rule field', { rules: [{ name: 'x', regex: /x/ }] }, "rules[0] has no field 'regex'; a rule has name, pattern, key, mode"],
  ])('rejects %s with a message that says how to fix it', (_what, options, message) => {
    expect(() => validateRedactOptions(options)).toThrow(`Invalid redact options: ${message}`);
  });
});
