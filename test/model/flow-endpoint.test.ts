import { describe, expect, it } from 'vitest';
import { endpointLabel, flowKey, parseFlowSource, parseFlowTarget, parsePeerSource, Port } from '../../model';

describe('flow endpoints', () => {
  it.each([
    ['internet', { kind: 'internet' }],
    ['admin', { kind: 'admin' }],
    ['cidr:198.51.100.0/24', { kind: 'cidr', cidr: '198.51.100.0/24' }],
    ['ipset:cloudflare', { kind: 'ipset', name: 'cloudflare' }],
    ['web-1', { kind: 'guest', name: 'web-1' }],
  ])('source %s parses to its kind and prints back the same', (label, source) => {
    expect(parseFlowSource(label)).toEqual(source);
    expect(endpointLabel(parseFlowSource(label))).toBe(label);
  });

  it('a guest reference is not a peer: the matrix expands it to guest names', () => {
    expect(parsePeerSource('role:web')).toBeUndefined();
    expect(parsePeerSource('web-1')).toBeUndefined();
  });

  it('targets are guests or Proxmox hosts', () => {
    expect(parseFlowTarget('node:pve1')).toEqual({ kind: 'node', name: 'pve1' });
    expect(endpointLabel(parseFlowTarget('db'))).toBe('db');
  });

  it('the flow key is built from the typed ends and port', () => {
    expect(flowKey({ from: { kind: 'cidr', cidr: '10.0.0.0/8' }, to: { kind: 'guest', name: 'db' }, port: Port.tcpRange(8000, 8010) })).toBe(
      'cidr:10.0.0.0/8|db|tcp|8000-8010',
    );
  });
});
