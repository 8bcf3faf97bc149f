/**
 * The environment variables the bpg/proxmox provider reads its credentials from at apply time
 * (fwprovider/provider.go, v0.111.1), per `cluster.providerAuth`. Nothing of them is ever written
 * into the synthesized JSON: CI passes them to `cdktf deploy` as secrets.
 */
import type { ProviderAuth } from '../../model';

/** Needed in every mode: the API URL, and SSH to the nodes for snippet uploads (proxmoxtf/resource/file.go uploads non-API content over SSH). */
export const PROVIDER_COMMON_ENV = ['PROXMOX_VE_ENDPOINT', 'PROXMOX_VE_SSH_USERNAME', 'PROXMOX_VE_SSH_PRIVATE_KEY'] as const;

/**
 * The credential variables of each mode. They must not be mixed: proxmox/api/credentials.go
 * (NewCredentials) uses a token whenever one is set, so a leftover PROXMOX_VE_API_TOKEN would
 * silently win over root@pam's password and the root-only settings would be refused.
 */
export const PROVIDER_CREDENTIAL_ENV: Readonly<Record<ProviderAuth, readonly string[]>> = {
  'api-token': ['PROXMOX_VE_API_TOKEN'],
  'root-password': ['PROXMOX_VE_USERNAME', 'PROXMOX_VE_PASSWORD'],
};

/** The variables a mode must set, and the ones it must leave unset. */
export function providerEnv(auth: ProviderAuth): { readonly set: readonly string[]; readonly unset: readonly string[] } {
  const other = (Object.keys(PROVIDER_CREDENTIAL_ENV) as ProviderAuth[]).filter((a) => a !== auth).flatMap((a) => PROVIDER_CREDENTIAL_ENV[a]);
  return { set: [...PROVIDER_COMMON_ENV, ...PROVIDER_CREDENTIAL_ENV[auth]], unset: other };
}
