import { ALL_PROJECTS, checkProjectName } from './keys.js';

/**
 * Who a person signed in by single sign-on may be, from the claims their provider vouched for
 * (`--oidc-roles`). A rule reads `MATCH=ROLE@PROJECT[,ROLE@PROJECT…]`; rules are separated by
 * `;` or new lines:
 *
 *   group:spoor-admins=admin@*; group:eng=read@default,admin@shop; email:@example.com=read@default
 *
 * MATCH is `group:NAME` (NAME among the groups claim's values, exactly), `email:ADDRESS` or
 * `email:@DOMAIN` (the `email` claim, case-insensitively, and only when the provider says it is
 * verified: `email_verified: true`; a domain is that domain, not its subdomains). ROLE is `read`
 * or `admin` (an `ingest` role sends telemetry; a person does not). PROJECT is a project or `*`.
 *
 * Every rule that matches counts (a union, not the first match): a person in two groups has what
 * both grant, and for each project the stronger role. A person no rule matches is refused.
 */

export type PersonRole = 'read' | 'admin';

/** A role on one project, or on every project (`*`). */
export interface Grant {
  projectId: string;
  role: PersonRole;
}

export type RuleMatch = { kind: 'group'; name: string } | { kind: 'email'; address: string } | { kind: 'domain'; domain: string };

export interface RoleRule {
  match: RuleMatch;
  grants: Grant[];
}

/** What a rule is matched against: the ID token's claims, with the userinfo's added. */
export type Claims = Record<string, unknown>;

/** Parses `--oidc-roles`; throws a message that names the rule and says how to write one. */
export function parseRoleRules(text: string): RoleRule[] {
  const rules: RoleRule[] = [];
  for (const raw of text.split(/[;\n]/)) {
    const rule = raw.trim();
    if (rule === '') continue;
    // Group names may hold '=' (an LDAP DN's cn=…); the grants never do.
    const at = rule.lastIndexOf('=');
    if (at <= 0) throw ruleError(rule, 'write MATCH=ROLE@PROJECT');
    rules.push({
      match: matchOf(rule, rule.slice(0, at).trim()),
      grants: rule
        .slice(at + 1)
        .split(',')
        .map((grant) => grantOf(rule, grant.trim())),
    });
  }
  if (rules.length === 0)
    throw new Error(`--oidc-roles holds no rule: say who gets which role, e.g. 'group:spoor-admins=admin@*; email:@example.com=read@default'`);
  return rules;
}

function matchOf(rule: string, text: string): RuleMatch {
  const colon = text.indexOf(':');
  const kind = colon === -1 ? '' : text.slice(0, colon).trim();
  const value = colon === -1 ? '' : text.slice(colon + 1).trim();
  if (kind === 'group' && value !== '') return { kind: 'group', name: value };
  if (kind === 'email' && /^@[^@\s]+\.[^@\s]+$/.test(value)) return { kind: 'domain', domain: value.slice(1).toLowerCase() };
  if (kind === 'email' && /^[^@\s]+@[^@\s]+$/.test(value)) return { kind: 'email', address: value.toLowerCase() };
  if (kind === 'email') throw ruleError(rule, `'${value}' is neither an address (ann@example.com) nor a domain (@example.com)`);
  throw ruleError(rule, `'${text}' is not a match: write group:NAME, email:ADDRESS or email:@DOMAIN`);
}

function grantOf(rule: string, text: string): Grant {
  const match = /^(\w+)@(.+)$/.exec(text);
  if (match === null) throw ruleError(rule, `'${text}' is not a grant: write ROLE@PROJECT, such as read@default or admin@*`);
  const [, role, projectId] = match as unknown as [string, string, string];
  if (role === 'ingest') throw ruleError(rule, 'a person is read or admin: an ingest key sends telemetry, a person does not');
  if (role !== 'read' && role !== 'admin') throw ruleError(rule, `'${role}' is not a role: write read or admin`);
  try {
    checkProjectName(projectId, 'read');
  } catch (error) {
    throw ruleError(rule, (error as Error).message);
  }
  return { projectId, role };
}

function ruleError(rule: string, message: string): Error {
  return new Error(`--oidc-roles rule '${rule}': ${message}`);
}

/**
 * The grants of every rule the claims match, merged: one grant per project with the strongest
 * role, and none a grant of `*` already covers as strongly. Empty: the person is refused.
 */
export function grantsFor(rules: readonly RoleRule[], claims: Claims, groupsClaim: string): Grant[] {
  const groups = new Set(groupsOf(claims, groupsClaim));
  const email = claims.email_verified === true && typeof claims.email === 'string' ? claims.email.toLowerCase() : null;
  const strongest = new Map<string, PersonRole>();
  for (const rule of rules) {
    const { match } = rule;
    const matched =
      match.kind === 'group'
        ? groups.has(match.name)
        : match.kind === 'email'
          ? email === match.address
          : email !== null && email.slice(email.lastIndexOf('@') + 1) === match.domain;
    if (!matched) continue;
    for (const grant of rule.grants) if (strongest.get(grant.projectId) !== 'admin') strongest.set(grant.projectId, grant.role);
  }
  const everywhere = strongest.get(ALL_PROJECTS);
  return [...strongest]
    .filter(([projectId, role]) => projectId === ALL_PROJECTS || everywhere === undefined || (everywhere === 'read' && role === 'admin'))
    .map(([projectId, role]) => ({ projectId, role }))
    .sort((a, b) => (a.projectId < b.projectId ? -1 : a.projectId > b.projectId ? 1 : 0));
}

/**
 * The groups claim's values, as text. A claim named with dots (`realm_access.roles`, as Keycloak
 * puts realm roles) is first looked up whole (Auth0's claims are URLs, dots and all), then as a
 * path. A single value counts as a list of one.
 */
export function groupsOf(claims: Claims, groupsClaim: string): string[] {
  let value: unknown = claims[groupsClaim];
  if (value === undefined && groupsClaim.includes('.')) {
    value = groupsClaim
      .split('.')
      .reduce<unknown>((at, part) => (at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined), claims);
  }
  const values = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return values.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number').map(String);
}

/**
 * The role grants give on `projectId`, and the project the access is bounded to: the project
 * itself, or `*` when the grant of every project gives it (a key of `*` is alike). `null`: none.
 */
export function accessFor(grants: readonly Grant[], projectId: string): { role: PersonRole; keyProjectId: string } | null {
  const own = grants.find((g) => g.projectId === projectId && projectId !== ALL_PROJECTS);
  const everywhere = grants.find((g) => g.projectId === ALL_PROJECTS);
  if (everywhere !== undefined && (own === undefined || everywhere.role === 'admin' || own.role === 'read'))
    return { role: everywhere.role, keyProjectId: ALL_PROJECTS };
  return own === undefined ? null : { role: own.role, keyProjectId: projectId };
}
