import { describe, expect, it } from 'vitest';
import { type Claims, accessFor, grantsFor, groupsOf, parseRoleRules } from './oidc-roles.js';

const RULES = parseRoleRules(
  'group:spoor-admins=admin@*; group:eng=read@default,admin@shop; email:@example.com=read@default\nemail:Ann@Corp.test=admin@billing',
);

describe('parseRoleRules', () => {
  it('reads matches and grants, rules split by ; or new lines', () => {
    expect(RULES).toEqual([
      { match: { kind: 'group', name: 'spoor-admins' }, grants: [{ projectId: '*', role: 'admin' }] },
      {
        match: { kind: 'group', name: 'eng' },
        grants: [
          { projectId: 'default', role: 'read' },
          { projectId: 'shop', role: 'admin' },
        ],
      },
      { match: { kind: 'domain', domain: 'example.com' }, grants: [{ projectId: 'default', role: 'read' }] },
      { match: { kind: 'email', address: 'ann@corp.test' }, grants: [{ projectId: 'billing', role: 'admin' }] },
    ]);
    // A group named as an LDAP DN keeps its '=': the grants follow the last one.
    expect(parseRoleRules('group:cn=admins,ou=groups=admin@*')[0]!.match).toEqual({ kind: 'group', name: 'cn=admins,ou=groups' });
  });

  it.each([
    ['', 'holds no rule'],
    [' ; ', 'holds no rule'],
    ['group:eng', "rule 'group:eng': write MATCH=ROLE@PROJECT"],
    ['team:eng=read@default', "'team:eng' is not a match: write group:NAME, email:ADDRESS or email:@DOMAIN"],
    ['group:=read@default', "'group:' is not a match"],
    ['email:example.com=read@default', "'example.com' is neither an address (ann@example.com) nor a domain (@example.com)"],
    ['group:eng=read', "'read' is not a grant: write ROLE@PROJECT"],
    ['group:eng=ingest@default', 'a person is read or admin'],
    ['group:eng=owner@default', "'owner' is not a role: write read or admin"],
    ['group:eng=read@Shop', "'Shop' is not a project name"],
    ['group:eng=read@default,', "'' is not a grant"],
  ])('refuses %j, saying %s', (text, message) => {
    expect(() => parseRoleRules(text)).toThrow(message);
  });
});

describe('grantsFor', () => {
  const claims = (more: Claims): Claims => ({ sub: 'u1', ...more });
  it.each<[string, Claims, Array<[string, string]>]>([
    ['a group of every project', claims({ groups: ['spoor-admins'] }), [['*', 'admin']]],
    // Union: both groups count; admin@* covers default and shop already.
    ['two groups, the stronger covering', claims({ groups: ['eng', 'spoor-admins'] }), [['*', 'admin']]],
    [
      'a group with two grants',
      claims({ groups: ['eng'] }),
      [
        ['default', 'read'],
        ['shop', 'admin'],
      ],
    ],
    ['a verified address of the domain', claims({ email: 'bob@example.com', email_verified: true }), [['default', 'read']]],
    ['an unverified address: no address rule', claims({ email: 'bob@example.com', email_verified: false }), []],
    ['an address with no word on verification', claims({ email: 'bob@example.com' }), []],
    ['a subdomain is not the domain', claims({ email: 'bob@mail.example.com', email_verified: true }), []],
    ['a lookalike domain', claims({ email: 'bob@evil-example.com', email_verified: true }), []],
    ['an address, case aside', claims({ email: 'ANN@corp.TEST', email_verified: true }), [['billing', 'admin']]],
    [
      'a group and a domain together',
      claims({ groups: ['eng'], email: 'bob@example.com', email_verified: true }),
      [
        ['default', 'read'],
        ['shop', 'admin'],
      ],
    ],
    ['a group name is exact', claims({ groups: ['Eng', 'eng-ops'] }), []],
    ['no claims at all', claims({}), []],
  ])('%s', (_what, given, expected) => {
    expect(grantsFor(RULES, given, 'groups').map((g) => [g.projectId, g.role])).toEqual(expected);
  });

  it('keeps a project admin grant beside a read grant of every project', () => {
    const rules = parseRoleRules('group:all=read@*; group:shop=admin@shop; group:shop=read@default');
    expect(grantsFor(rules, { groups: ['all', 'shop'] }, 'groups')).toEqual([
      { projectId: '*', role: 'read' },
      { projectId: 'shop', role: 'admin' },
    ]);
  });
});

describe('groupsOf', () => {
  it.each<[string, Claims, string, string[]]>([
    ['a list', { groups: ['a', 'b'] }, 'groups', ['a', 'b']],
    ['one value', { groups: 'a' }, 'groups', ['a']],
    ["Keycloak's realm roles, by path", { realm_access: { roles: ['admin'] } }, 'realm_access.roles', ['admin']],
    ["Auth0's URL claim, dots and all", { 'https://spoor.example/groups': ['x'] }, 'https://spoor.example/groups', ['x']],
    ['numbers as text, nothing else', { groups: [7, null, { a: 1 }, 'b'] }, 'groups', ['7', 'b']],
    ['no claim', {}, 'groups', []],
  ])('%s', (_what, claims, name, expected) => {
    expect(groupsOf(claims, name)).toEqual(expected);
  });
});

describe('accessFor', () => {
  it.each<[string, Array<[string, 'read' | 'admin']>, string, { role: string; keyProjectId: string } | null]>([
    ['a granted project', [['shop', 'admin']], 'shop', { role: 'admin', keyProjectId: 'shop' }],
    ['another project', [['shop', 'admin']], 'default', null],
    ['any project by *', [['*', 'read']], 'default', { role: 'read', keyProjectId: '*' }],
    [
      'the stronger of * and the project',
      [
        ['*', 'read'],
        ['shop', 'admin'],
      ],
      'shop',
      { role: 'admin', keyProjectId: 'shop' },
    ],
    [
      '* where it is the stronger',
      [
        ['*', 'admin'],
        ['shop', 'read'],
      ],
      'shop',
      { role: 'admin', keyProjectId: '*' },
    ],
  ])('%s', (_what, grants, project, expected) => {
    expect(
      accessFor(
        grants.map(([projectId, role]) => ({ projectId, role })),
        project,
      ),
    ).toEqual(expected);
  });
});
