export * from './errors';
export * from './spec';
export * from './environment';
export { Cidr, isIpv4, ipv4ToInt, intToIpv4 } from './net';
export * from './zfs';
export { validateEnvironment } from './validate';
export { loadEnvironmentFile, parseEnvironmentYaml } from './load';
export { defineEnvironment } from './define';
