export * from './cloud-image';
export * from './cloud-init-snippet';
export * from './connections';
export * from './environment-firewall';
export * from './firewall';
export * from './gpu-passthrough';
export * from './lxc';
export * from './lxc-template';
// Port and Peer are model value types; re-exported so construct users find them here too.
export { Peer, Port, type IPeer } from '../model';
export * from './storage-box';
export * from './vm';
export * from './zfs-pool';
