import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spoorCli } from './support/cli.js';
import { freePort } from './support/oidc-provider.js';
import { killAll } from './support/processes.js';
import { until } from './support/wait.js';

/**
 * `spoor serve` with single sign-on, as a user starts it: the flags and SPOOR_OIDC_* variables
 * reach the server, a start without --external-url is refused saying why, and the client secret
 * appears in no output, whatever happens.
 */

const children = new Set<ChildProcess>();
let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'spoor-oidc-cli-'));
});

afterEach(async () => {
  await killAll(children);
  await rm(work, { recursive: true, force: true });
});

const { run, serve } = spoorCli(() => work, children);
const SECRET = 'very-secret-client-secret-0042';

describe('spoor serve with single sign-on', () => {
  it('refuses to start without --external-url, saying the provider sends people back there', async () => {
    const result = await run(
      [
        'serve',
        '--port',
        '0',
        '--data',
        join(work, 'data'),
        '--oidc-issuer',
        'https://idp.example.com',
        '--oidc-client-id',
        'spoor',
        '--oidc-client-secret',
        'env:IDP_SECRET',
        '--oidc-roles',
        'group:a=admin@*',
      ],
      { IDP_SECRET: SECRET },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'single sign-on needs --external-url (SPOOR_EXTERNAL_URL), the address people reach Spoor at: the provider sends them back to <external-url>/auth/callback',
    );
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  it('takes SPOOR_OIDC_* variables, starts while the provider does not answer, and logs that without the secret', async () => {
    const idp = `http://127.0.0.1:${await freePort()}`;
    const server = await serve(['--port', '0', '--data', join(work, 'data'), '--external-url', 'http://127.0.0.1:4318'], {
      SPOOR_OIDC_ISSUER: idp,
      SPOOR_OIDC_CLIENT_ID: 'spoor',
      SPOOR_OIDC_CLIENT_SECRET: 'env:IDP_SECRET',
      SPOOR_OIDC_ROLES: 'group:a=admin@*',
      IDP_SECRET: SECRET,
    });
    const session = (await (await fetch(`${server.url}/api/session`)).json()) as { authRequired: boolean; singleSignOn: { provider: string } };
    expect(session).toMatchObject({ authRequired: true, singleSignOn: { provider: new URL(idp).host } });
    await until('the provider to be reported unreachable', () => (server.stderr().includes(`(${idp}) does not answer`) ? true : undefined));
    expect(server.stderr()).toContain('keys still work, and signing in asks the provider again');
    expect(server.stdout() + server.stderr()).not.toContain(SECRET);
  });
});
