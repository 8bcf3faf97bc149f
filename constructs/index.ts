export * from './vm';
export * from './lxc';
