import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveServeConfig } from '../config.js';
import { providerNameOf } from './oidc-config.js';

const ENV = {
  SPOOR_EXTERNAL_URL: 'https://spoor.example.com/',
  SPOOR_OIDC_ISSUER: 'https://example.okta.com/oauth2/default',
  SPOOR_OIDC_CLIENT_ID: 'spoor',
  SPOOR_OIDC_CLIENT_SECRET: 'env:OKTA_SECRET',
  SPOOR_OIDC_ROLES: 'group:spoor-admins=admin@*',
  OKTA_SECRET: ' s3cret-from-env \n',
};

describe('single sign-on settings', () => {
  it('are absent without an --oidc-* flag', () => {
    expect(resolveServeConfig({}, {}).oidc).toBeUndefined();
  });

  it('come from SPOOR_OIDC_* variables, the secret read from where they say', () => {
    expect(resolveServeConfig({}, ENV).oidc).toEqual({
      issuer: 'https://example.okta.com/oauth2/default',
      clientId: 'spoor',
      clientSecret: 's3cret-from-env',
      redirectUri: 'https://spoor.example.com/auth/callback',
      scopes: ['openid', 'email', 'profile'],
      rules: [{ match: { kind: 'group', name: 'spoor-admins' }, grants: [{ projectId: '*', role: 'admin' }] }],
      groupsClaim: 'groups',
      providerName: 'Okta',
      fingerprint: expect.stringMatching(/^[\w-]{16}$/),
    });
  });

  it('take flags over variables, and a secret from a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spoor-oidc-config-'));
    writeFileSync(join(dir, 'secret'), 'from-a-file\n');
    const oidc = resolveServeConfig(
      {
        oidcIssuer: 'http://127.0.0.1:5556/dex',
        oidcClientSecret: `file:${join(dir, 'secret')}`,
        oidcScopes: 'email,groups',
        oidcGroupsClaim: 'realm_access.roles',
        externalUrl: 'http://127.0.0.1:4318',
      },
      ENV,
    ).oidc!;
    expect(oidc).toMatchObject({
      issuer: 'http://127.0.0.1:5556/dex',
      clientSecret: 'from-a-file',
      scopes: ['openid', 'email', 'groups'],
      groupsClaim: 'realm_access.roles',
      providerName: 'Dex',
      redirectUri: 'http://127.0.0.1:4318/auth/callback',
    });
  });

  it('change the fingerprint when the rules change, so sessions made under other rules are void', () => {
    const a = resolveServeConfig({}, ENV).oidc!.fingerprint;
    expect(resolveServeConfig({}, ENV).oidc!.fingerprint).toBe(a);
    expect(resolveServeConfig({ oidcRoles: 'group:spoor-admins=read@*' }, ENV).oidc!.fingerprint).not.toBe(a);
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'no external URL',
      { SPOOR_EXTERNAL_URL: '' },
      'single sign-on needs --external-url (SPOOR_EXTERNAL_URL), the address people reach Spoor at: the provider sends them back to <external-url>/auth/callback',
    ],
    ['no issuer', { SPOOR_OIDC_ISSUER: '' }, 'single sign-on needs --oidc-issuer URL'],
    ['no client id', { SPOOR_OIDC_CLIENT_ID: '' }, 'single sign-on needs --oidc-client-id ID'],
    ['no secret', { SPOOR_OIDC_CLIENT_SECRET: '' }, 'single sign-on needs --oidc-client-secret env:VARIABLE or file:PATH'],
    ['no rules', { SPOOR_OIDC_ROLES: '' }, 'single sign-on needs --oidc-roles'],
    ['a bad rule', { SPOOR_OIDC_ROLES: 'group:a=owner@*' }, "--oidc-roles rule 'group:a=owner@*': 'owner' is not a role"],
    ['an issuer that is not a URL', { SPOOR_OIDC_ISSUER: 'okta' }, "--oidc-issuer must be a URL such as https://example.okta.com, not 'okta'"],
    ['plain http beyond loopback', { SPOOR_OIDC_ISSUER: 'http://idp.example.com' }, '--oidc-issuer must be an https URL (http only on loopback)'],
    ['an issuer with a query', { SPOOR_OIDC_ISSUER: 'https://idp.example.com/?x=1' }, 'without a query or fragment'],
    ['a secret variable not set', { OKTA_SECRET: '' }, '--oidc-client-secret: the variable OKTA_SECRET is not set'],
    ['a secret file missing', { SPOOR_OIDC_CLIENT_SECRET: 'file:/nonexistent/secret' }, '--oidc-client-secret: cannot read /nonexistent/secret: ENOENT'],
    ['authentication off', { SPOOR_AUTH: 'off' }, '--auth off lets anyone in, so single sign-on would protect nothing'],
  ])('refuse to start with %s, saying what to fix', (_what, change, message) => {
    expect(() => resolveServeConfig({}, { ...ENV, ...change })).toThrow(message);
  });

  it('never repeat a secret written where its source belongs', () => {
    let message = '';
    try {
      resolveServeConfig({ oidcClientSecret: 'hunter2-the-secret' }, ENV);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('--oidc-client-secret says where to read the secret: env:VARIABLE or file:PATH, never the secret itself');
  });
});

describe('providerNameOf', () => {
  it.each([
    ['https://accounts.google.com', 'Google'],
    ['https://login.microsoftonline.com/0000-tenant/v2.0', 'Microsoft'],
    ['https://example.okta.com', 'Okta'],
    ['https://example.oktapreview.com/oauth2/default', 'Okta'],
    ['https://sso.example.com/realms/staff', 'Keycloak'],
    ['https://auth.example.com/dex', 'Dex'],
    ['https://idp.example.com:8443/', 'idp.example.com:8443'],
  ])('names %s %s', (issuer, name) => {
    expect(providerNameOf(new URL(issuer))).toBe(name);
  });
});
