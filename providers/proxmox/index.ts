/**
 * The bpg/proxmox L1 bindings, generated from `schema.json` into `.gen/` by
 * `scripts/generate-bindings.js` (run by `npm ci`/`npm test`). Import them as a namespace:
 * `import { pve } from '../providers/proxmox'`, then `new pve.virtualEnvironmentVm.VirtualEnvironmentVm(...)`.
 */
export * as pve from '../../.gen/providers/proxmox';

/** Provider source and the version the vendored schema was taken from; pinned in required_providers. */
export const PROVIDER_SOURCE = 'bpg/proxmox';
export const PROVIDER_VERSION = '0.111.1';
export { PROVIDER_COMMON_ENV, PROVIDER_CREDENTIAL_ENV, providerEnv } from './credentials';
