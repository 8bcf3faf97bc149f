/**
 * The API client against a real HTTPS server on loopback (self-signed certificate made by
 * openssl): TLS verification, token and ticket logins, retries, timeouts and the typed errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../cluster/api';
import { ProxmoxClient } from '../../cluster/client';
import { connectionConfigFrom } from '../../cluster/config';
import {
  ApiAuthError,
  ApiPermissionError,
  ApiServerError,
  ApiTlsError,
  ApiUnreachableError,
  ApiWrongEndpointError,
  ConnectionConfigError,
} from '../../cluster/errors';
import { labClusterRoutes } from '../fixtures/pve/lab-cluster';
import { startFakePve, TEST_PASSWORD, TEST_TOKEN, TEST_USER, type FakePve } from '../support/pve-api';
import { describeWithTools, freePort } from '../support/tools';

const noSleep = async (_ms: number): Promise<void> => {};

function clientFor(env: Record<string, string>, sleep = noSleep): ProxmoxClient {
  return new ProxmoxClient(connectionConfigFrom(env), sleep);
}

async function caught(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('connectionConfigFrom', () => {
  it('reads the provider variables and normalizes the endpoint to /api2/json', () => {
    const c = connectionConfigFrom({ PROXMOX_VE_ENDPOINT: 'https://pve1.example.com:8006/', PROXMOX_VE_API_TOKEN: TEST_TOKEN });
    expect(c.apiUrl).toBe('https://pve1.example.com:8006/api2/json');
    expect(c.auth).toEqual({ kind: 'token', tokenId: 'pvestack@pve!doctor', secret: TEST_TOKEN.split('=')[1] });
    expect(c.insecure).toBe(false);
    expect(
      connectionConfigFrom({
        PROXMOX_VE_ENDPOINT: 'https://h:8006/api2/json',
        PROXMOX_VE_USERNAME: 'root@pam',
        PROXMOX_VE_PASSWORD: 'x',
        PROXMOX_VE_INSECURE: 'true',
      }),
    ).toMatchObject({
      apiUrl: 'https://h:8006/api2/json',
      auth: { kind: 'password', username: 'root@pam' },
      insecure: true,
    });
  });

  it.each([
    [{}, 'PROXMOX_VE_ENDPOINT: is not set'],
    [{ PROXMOX_VE_ENDPOINT: 'http://h:8006/', PROXMOX_VE_API_TOKEN: TEST_TOKEN }, 'PROXMOX_VE_ENDPOINT: must use https'],
    [{ PROXMOX_VE_ENDPOINT: 'https://h:8006/' }, 'PROXMOX_VE_API_TOKEN: is not set (nor PROXMOX_VE_USERNAME and PROXMOX_VE_PASSWORD)'],
    [{ PROXMOX_VE_ENDPOINT: 'https://h:8006/', PROXMOX_VE_API_TOKEN: 'just-a-secret' }, 'PROXMOX_VE_API_TOKEN: is not of the form user@realm!tokenid=secret'],
    [
      { PROXMOX_VE_ENDPOINT: 'https://h:8006/', PROXMOX_VE_API_TOKEN: TEST_TOKEN, PROXMOX_VE_INSECURE: 'maybe' },
      'PROXMOX_VE_INSECURE: is not a boolean (got "maybe")',
    ],
  ])('rejects %j', (env, message) => {
    expect(() => connectionConfigFrom(env)).toThrow(ConnectionConfigError);
    expect(() => connectionConfigFrom(env)).toThrow(message);
  });

  it('never puts a malformed token into its message', () => {
    const err = (() => {
      try {
        connectionConfigFrom({ PROXMOX_VE_ENDPOINT: 'https://h:8006/', PROXMOX_VE_API_TOKEN: 'pvestack@pve!doctor:s3cr3t-value' });
      } catch (e) {
        return e as ConnectionConfigError;
      }
    })();
    expect(err?.message).not.toContain('s3cr3t');
    expect(JSON.stringify(err?.toJSON())).not.toContain('s3cr3t');
  });
});

describeWithTools('ProxmoxClient against a loopback HTTPS server', ['openssl'], () => {
  let pve: FakePve;
  beforeAll(async () => {
    pve = await startFakePve({ routes: labClusterRoutes() });
  });
  afterAll(async () => pve?.stop());

  it('reads with an API token when the CA file is trusted, and sends only GETs', async () => {
    const client = clientFor(pve.env());
    const before = pve.requests.length;
    expect(await api.nodeVersion(client, 'pve1')).toMatchObject({ release: '8.4' });
    expect((await api.pciDevices(client, 'pve1')).map((d) => d.id)).toContain('0000:01:00.0');
    client.close();
    const sent = pve.requests.slice(before);
    expect(sent.map((r) => r.method)).toEqual(['GET', 'GET']);
    // Bridges and memory controllers are asked for too, so IOMMU neighbours are all visible.
    expect(sent[1]!.query).toBe('?pci-class-blacklist=');
  });

  it('refuses the self-signed certificate without the CA file or the insecure flag', async () => {
    const env = pve.env();
    delete env.PROXMOX_VE_CA_FILE;
    const err = await caught(api.nodes(clientFor(env)));
    expect(err).toBeInstanceOf(ApiTlsError);
    expect(err.message).toMatch(
      /^GET \/nodes: the TLS certificate of 127\.0\.0\.1:\d+ is not trusted \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)/,
    );
    expect(err.message).toContain('PROXMOX_VE_CA_FILE');
    expect(err.message).toContain('PROXMOX_VE_INSECURE=true');
    expect((err as ApiTlsError).exitCode).toBe(2);
  });

  it('accepts the self-signed certificate with PROXMOX_VE_INSECURE=true', async () => {
    const env = pve.env({ PROXMOX_VE_INSECURE: 'true' });
    delete env.PROXMOX_VE_CA_FILE;
    const client = clientFor(env);
    expect((await api.nodes(client))[0]!.node).toBe('pve1');
    client.close();
  });

  it('logs in with a password through POST /access/ticket, then only GETs with the ticket', async () => {
    const before = pve.requests.length;
    const client = clientFor({
      PROXMOX_VE_ENDPOINT: pve.endpoint,
      PROXMOX_VE_CA_FILE: pve.caFile,
      PROXMOX_VE_USERNAME: TEST_USER,
      PROXMOX_VE_PASSWORD: TEST_PASSWORD,
    });
    await api.nodes(client);
    await api.version(client);
    client.close();
    expect(pve.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /access/ticket', 'GET /nodes', 'GET /version']);
  });

  it('turns 401 into ApiAuthError naming the token id, never the secret', async () => {
    const err = await caught(api.nodes(clientFor(pve.env({ PROXMOX_VE_API_TOKEN: 'pvestack@pve!doctor=ffffffff-0000-0000-0000-000000000000' }))));
    expect(err).toBeInstanceOf(ApiAuthError);
    expect(err.message).toBe(
      'GET /nodes: authentication failed (401 invalid token value!) (got "pvestack@pve!doctor"). Check PROXMOX_VE_API_TOKEN: the token id and secret as Proxmox showed them at creation (the token may be expired or deleted), or the user\'s password and realm (user@pam, user@pve).',
    );
    expect(JSON.stringify((err as ApiAuthError).toJSON())).not.toContain('ffffffff-0000');
  });

  it('turns a wrong password into ApiAuthError at the ticket login', async () => {
    const err = await caught(
      api.nodes(clientFor({ PROXMOX_VE_ENDPOINT: pve.endpoint, PROXMOX_VE_CA_FILE: pve.caFile, PROXMOX_VE_USERNAME: TEST_USER, PROXMOX_VE_PASSWORD: 'wrong' })),
    );
    expect(err).toBeInstanceOf(ApiAuthError);
    expect(err.message).toContain('POST /access/ticket: authentication failed (401 authentication failure) (got "pvestack@pve")');
    expect(err.message).not.toContain('wrong');
  });

  it('turns 403 into ApiPermissionError naming the privilege and the ACL path', async () => {
    pve.fault('/nodes/pve1/status', { status: 403, reason: 'Permission check failed (/nodes/pve1, Sys.Audit)', times: 1 });
    const err = await caught(api.nodeStatus(clientFor(pve.env()), 'pve1'));
    expect(err).toBeInstanceOf(ApiPermissionError);
    expect((err as ApiPermissionError).aclPath).toBe('/nodes/pve1');
    expect((err as ApiPermissionError).privileges).toEqual(['Sys.Audit']);
    expect(err.message).toContain('GET /nodes/pve1/status: permission denied: the credentials lack Sys.Audit on /nodes/pve1');
    expect(err.message).toContain('pveum acl modify /nodes/pve1');
  });

  it('retries a 502 with backoff and returns the answer that follows', async () => {
    pve.fault('/cluster/resources', { status: 502, reason: 'Bad Gateway', times: 2 });
    const waits: number[] = [];
    const client = clientFor(pve.env(), async (ms: number) => void waits.push(ms));
    const before = pve.requests.length;
    const guests = await api.guests(client);
    client.close();
    expect(guests.map((g) => g.vmid)).toContain(100);
    expect(pve.requests.slice(before).map((r) => r.path)).toEqual(['/cluster/resources', '/cluster/resources', '/cluster/resources']);
    expect(waits).toEqual([500, 1000]);
  });

  it('gives up on a 5xx after the retries with ApiServerError', async () => {
    pve.fault('/cluster/firewall/options', { status: 500, reason: 'internal error', times: 4 });
    const err = await caught(api.clusterFirewall(clientFor(pve.env())));
    expect(err).toBeInstanceOf(ApiServerError);
    expect(err.message).toContain('GET /cluster/firewall/options: the API failed (500 internal error) after 3 retries');
  });

  it('times out a request that gets no answer', async () => {
    pve.fault('/access/permissions', { status: 200, reason: 'OK', delayMs: 1500, times: 1 });
    const err = await caught(api.permissions(clientFor(pve.env({ PROXMOX_VE_TIMEOUT: '0.3' }))));
    expect(err).toBeInstanceOf(ApiUnreachableError);
    expect(err.message).toMatch(/^GET \/access\/permissions: no answer from 127\.0\.0\.1:\d+ within 0\.3 s/);
    expect(err.message).toContain('PROXMOX_VE_TIMEOUT');
  });

  it('reports an unreachable host', async () => {
    const port = await freePort();
    const err = await caught(api.nodes(clientFor({ PROXMOX_VE_ENDPOINT: `https://127.0.0.1:${port}/`, PROXMOX_VE_API_TOKEN: TEST_TOKEN })));
    expect(err).toBeInstanceOf(ApiUnreachableError);
    expect(err.message).toContain(`cannot reach 127.0.0.1:${port} (ECONNREFUSED)`);
  });

  it('reports a wrong endpoint: something that is not the Proxmox API answers', async () => {
    const err = await caught(api.nodes(clientFor(pve.env({ PROXMOX_VE_ENDPOINT: `${pve.endpoint}ui/` }))));
    expect(err).toBeInstanceOf(ApiWrongEndpointError);
    expect(err.message).toContain('the answer is not from the Proxmox VE API (404 Not Found, text/html)');
    const unknown = await caught(clientFor(pve.env()).get('/no/such/path'));
    expect(unknown).toBeInstanceOf(ApiWrongEndpointError);
    expect(unknown.message).toContain('501');
  });
});
