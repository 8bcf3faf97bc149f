/**
 * Referential integrity of a shape-valid spec: every name a field refers to exists, names are
 * unique, and options fit the guest kind. Policy questions (is it big enough, is it safe) are the
 * preflight checks' job, not this file's.
 */
import { containerDataDiskPath } from '../disk-mounts';
import { DEFAULT_LXC_TEMPLATE_FILE, parseTemplateVolid } from '../lxc-template';
import type { EnvironmentSpec, GuestSpec, NodeSpec, StackSpec } from '../spec';
import { SUPPORTED_CONTENT } from '../storage';
import { zfsDiskCountProblem } from '../zfs';
import { at, Ctx, fail, suggest } from './schema';

const DEFAULT_DATASTORES = ['local-lvm'];
/** The installer's directory storage, present on every node whether declared or not. */
const INSTALLER_LOCAL = 'local';

export function checkReferences(spec: EnvironmentSpec, ctx: Ctx): void {
  const nodes = new Map(spec.cluster.nodes.map((n) => [n.name, n]));
  const networks = spec.networks.map((n) => n.name);
  const guests = spec.guests.map((g) => g.name);
  // Sets for membership: a spec with thousands of guests and connections stays linear.
  const guestSet = new Set(guests);
  const roles = new Set(spec.guests.map((g) => g.role as string));
  const secrets = Object.keys(spec.secrets ?? {});
  const boxes = (spec.storageBoxes ?? []).map((b) => b.name);
  const allGpus = spec.cluster.nodes.flatMap((n) => (n.gpus ?? []).map((g) => g.name));

  unique(
    ctx,
    'cluster.nodes',
    spec.cluster.nodes.map((n) => n.name),
    'node name',
    'name',
  );
  unique(ctx, 'networks', networks, 'network name', 'name');
  unique(ctx, 'guests', guests, 'guest name', 'name');
  unique(ctx, 'storageBoxes', boxes, 'Storage Box name', 'name');
  spec.cluster.nodes.forEach((n, i) =>
    unique(
      ctx,
      at(at('cluster.nodes', i), 'gpus'),
      (n.gpus ?? []).map((g) => g.name),
      'GPU mapping name',
      'name',
    ),
  );
  uniqueAcross(ctx, spec);

  spec.networks.forEach((n, i) => {
    const path = at('networks', i);
    if (new Set(n.dns ?? []).size !== (n.dns ?? []).length) fail(ctx, at(path, 'dns'), 'lists a server twice', 'Remove the duplicate.', n.dns);
  });

  const poolStorage = new Map<string, string[]>();
  (spec.zfsPools ?? []).forEach((pool, i) => {
    const path = at('zfsPools', i);
    if (!nodes.has(pool.node)) fail(ctx, at(path, 'node'), 'names a node that is not in cluster.nodes', () => suggest(pool.node, [...nodes.keys()]), pool.node);
    const problem = zfsDiskCountProblem(pool.layout, pool.disks.length);
    if (problem)
      fail(
        ctx,
        at(path, 'disks'),
        `has ${pool.disks.length} disk${pool.disks.length === 1 ? '' : 's'}, but ${problem}`,
        'Add disks or choose another layout.',
        pool.disks,
      );
    if (new Set(pool.disks).size !== pool.disks.length)
      fail(ctx, at(path, 'disks'), 'lists a disk twice', 'Each disk can belong to one vdev only.', pool.disks);
    const ids = poolStorage.get(pool.node) ?? [];
    ids.push(pool.storageId ?? pool.name);
    poolStorage.set(pool.node, ids);
  });

  spec.cluster.nodes.forEach((n, i) => checkNodeStorage(n, at('cluster.nodes', i), poolStorage.get(n.name) ?? [], ctx));
  spec.cluster.nodes.forEach((n, i) =>
    (n.gpus ?? []).forEach((g, j) => {
      // With allFunctions the mapping path is the slot (`0000:01:00`); the GPU itself must be function 0 of it.
      if (g.allFunctions && !g.pciAddress.endsWith('.0'))
        fail(
          ctx,
          at(at(at(at('cluster.nodes', i), 'gpus'), j), 'allFunctions'),
          `passes the whole card, but pciAddress ${g.pciAddress} is not function 0`,
          `Give the card's function 0 (${g.pciAddress.replace(/\.\d$/, '.0')}) as pciAddress, or remove allFunctions.`,
          g.allFunctions,
        );
    }),
  );

  if (spec.admin.bastion !== undefined && !guests.includes(spec.admin.bastion))
    fail(ctx, 'admin.bastion', 'names a guest that does not exist', () => suggest(spec.admin.bastion, guests), spec.admin.bastion);

  spec.guests.forEach((guest, i) => checkGuest(spec, guest, at('guests', i), ctx, { nodes, networks, guests, guestSet, secrets, boxes, allGpus, poolStorage }));

  (spec.connections ?? []).forEach((c, i) => {
    const path = at('connections', i);
    const froms = Array.isArray(c.from) ? c.from : [c.from];
    const tos = Array.isArray(c.to) ? c.to : [c.to];
    froms.forEach((peer: string, j: number) => checkPeer(ctx, at(at(path, 'from'), Array.isArray(c.from) ? j : -1), peer, guests, guestSet, roles, true));
    tos.forEach((peer: string, j: number) => checkPeer(ctx, at(at(path, 'to'), Array.isArray(c.to) ? j : -1), peer, guests, guestSet, roles, false));
  });

  (spec.storageBoxes ?? []).forEach((box, i) => {
    const path = at('storageBoxes', i);
    for (const key of ['passwordSecret', 'sshKeySecret'] as const) {
      const ref = box[key];
      if (ref !== undefined && !secrets.includes(ref)) undeclaredSecret(ctx, at(path, key), ref, secrets);
    }
  });
}

/** Every storage id a node has: declared (or the default `local-lvm`), its ZFS pools' and the installer's `local`. */
function storageIds(node: NodeSpec, pools: readonly string[]): string[] {
  const ids = [...(node.datastores ?? []).map((d) => d.id), ...(node.datastores ? [] : DEFAULT_DATASTORES), ...pools];
  return ids.includes(INSTALLER_LOCAL) ? ids : [...ids, INSTALLER_LOCAL];
}

/** Content types a storage type cannot hold, and the node's snippet/image/template datastores exist. */
function checkNodeStorage(node: NodeSpec, path: string, pools: readonly string[], ctx: Ctx): void {
  (node.datastores ?? []).forEach((d, j) => {
    const supported = SUPPORTED_CONTENT[d.type];
    const bad = (d.content ?? []).filter((c) => !supported.includes(c));
    // pve-storage `src/PVE/Storage/Plugin.pm` (check_value for `content`) refuses types the plugin's `plugindata` does not list.
    if (bad.length > 0)
      fail(
        ctx,
        at(at(at(path, 'datastores'), j), 'content'),
        `lists ${bad.join(', ')}, which ${d.type} storage cannot hold`,
        `${d.type} storage holds only ${supported.join(', ')}; put files (snippets, templates, import images) on a dir, nfs or cifs storage such as local.`,
        d.content,
      );
  });
  const ids = storageIds(node, pools);
  for (const key of ['snippetDatastore', 'imageDatastore', 'templateDatastore'] as const) {
    const id = node[key];
    if (id !== undefined && !ids.includes(id))
      fail(ctx, at(path, key), `is not a datastore of node ${node.name}`, `${suggest(id, ids)} Declare it under the node's datastores with its content.`, id);
  }
}

/** A container's template is on a storage of its node, and a non-default file comes with its URL. */
function checkTemplate(guest: GuestSpec, node: NodeSpec, path: string, pools: readonly string[], ctx: Ctx): void {
  const volid = guest.lxc?.template === undefined ? undefined : parseTemplateVolid(guest.lxc.template);
  if (!volid) return;
  const ids = storageIds(node, pools);
  if (!ids.includes(volid.storage))
    fail(
      ctx,
      at(path, 'template'),
      `is on ${volid.storage}, which is not a datastore of node ${node.name}`,
      `${suggest(volid.storage, ids)} The template is downloaded to that storage before the container is created.`,
      guest.lxc!.template,
    );
  else if (guest.lxc?.templateUrl === undefined && volid.file !== DEFAULT_LXC_TEMPLATE_FILE)
    fail(
      ctx,
      at(path, 'templateUrl'),
      `is required because template names ${volid.file}, not the default template`,
      'Give the pinned URL the node downloads it from (and templateChecksum), e.g. http://download.proxmox.com/images/system/<file> as `pveam available --section system` lists it.',
    );
}

interface Names {
  nodes: Map<string, EnvironmentSpec['cluster']['nodes'][number]>;
  networks: string[];
  guests: string[];
  guestSet: ReadonlySet<string>;
  secrets: string[];
  boxes: string[];
  allGpus: string[];
  poolStorage: Map<string, string[]>;
}

function checkGuest(spec: EnvironmentSpec, guest: GuestSpec, path: string, ctx: Ctx, names: Names): void {
  const onProxmox = guest.kind !== 'external';
  const node = guest.node === undefined ? undefined : names.nodes.get(guest.node);
  const kindName = guest.kind === 'vm' ? 'a VM' : 'an LXC container';
  if (onProxmox && guest.node === undefined)
    fail(ctx, at(path, 'node'), `is required for ${kindName}`, () => `Name the Proxmox node it runs on: ${[...names.nodes.keys()].join(', ')}.`);
  if (guest.node !== undefined && !node)
    fail(ctx, at(path, 'node'), 'names a node that is not in cluster.nodes', () => suggest(guest.node, [...names.nodes.keys()]), guest.node);
  if (!onProxmox && guest.node !== undefined)
    fail(ctx, at(path, 'node'), 'is set on an external host', 'External hosts are not Proxmox guests; remove node.', guest.node);
  if (guest.adopt && !onProxmox)
    fail(ctx, at(path, 'adopt'), 'is set on an external host', 'Only Proxmox guests (vm, lxc) can be adopted; remove adopt.', guest.adopt);
  if (guest.adopt && onProxmox && guest.vmId === undefined)
    fail(
      ctx,
      at(path, 'vmId'),
      'is required for an adopted guest',
      'Give the id the guest has on the cluster: the import block adopts <node>/<vmId> (`pvestack import` writes it).',
    );
  if (!onProxmox && guest.vmId !== undefined)
    fail(ctx, at(path, 'vmId'), 'is set on an external host', 'Remove vmId; external hosts have no Proxmox id.', guest.vmId);
  if (onProxmox && (guest.disks ?? []).length === 0)
    fail(ctx, at(path, 'disks'), `is required for ${kindName}`, 'Give at least the boot disk: { sizeGib: 32, datastore: local-lvm }.');
  if (guest.network !== undefined && !names.networks.includes(guest.network))
    fail(ctx, at(path, 'network'), 'names a network that is not in networks', () => suggest(guest.network, names.networks), guest.network);

  if (node) {
    const stores = [...(node.datastores ?? []).map((d) => d.id), ...(node.datastores ? [] : DEFAULT_DATASTORES), ...(names.poolStorage.get(node.name) ?? [])];
    (guest.disks ?? []).forEach((d, j) => {
      if (!stores.includes(d.datastore))
        fail(
          ctx,
          at(at(at(path, 'disks'), j), 'datastore'),
          `is not a datastore of node ${node.name}`,
          () => `${suggest(d.datastore, stores)} Declare it under the node's datastores or as a ZFS pool.`,
          d.datastore,
        );
    });
  }
  const diskNames = (guest.disks ?? []).map((d, j) => d.name ?? (j === 0 ? 'root' : `data${j}`));
  unique(ctx, at(path, 'disks'), diskNames, 'disk name', 'name');
  const diskMounts = dataDiskMounts(guest, diskNames);
  checkDiskMountPoints(guest, path, diskMounts, ctx);

  (guest.gpus ?? []).forEach((g, j) => {
    if (!onProxmox) fail(ctx, at(at(path, 'gpus'), j), 'is set on an external host', 'GPUs of external hosts are not managed by pvestack; remove gpus.', g);
    else if (!names.allGpus.includes(g)) fail(ctx, at(at(path, 'gpus'), j), 'names a GPU that no node declares', () => suggest(g, names.allGpus), g);
  });
  if (onProxmox && guest.hostGpus !== undefined)
    fail(
      ctx,
      at(path, 'hostGpus'),
      `is set on a ${guest.kind}`,
      'Declare the GPU on its node (cluster.nodes[].gpus) and give it to the guest with gpus: [<name>]; hostGpus describes external hosts only.',
    );
  if (new Set(guest.gpus ?? []).size !== (guest.gpus ?? []).length) fail(ctx, at(path, 'gpus'), 'lists a GPU twice', 'Name each GPU once.', guest.gpus);

  if (guest.lxc && guest.kind !== 'lxc') fail(ctx, at(path, 'lxc'), `is set on a ${guest.kind}`, 'Remove lxc or change kind to lxc.');
  if (guest.vm && guest.kind !== 'vm') fail(ctx, at(path, 'vm'), `is set on a ${guest.kind}`, 'Remove vm or change kind to vm.');
  if (guest.kind === 'lxc' && node) checkTemplate(guest, node, at(path, 'lxc'), names.poolStorage.get(node.name) ?? [], ctx);
  if (guest.kind === 'lxc' && guest.lxc?.unprivileged === false && !guest.lxc.privilegedReason)
    fail(
      ctx,
      at(at(path, 'lxc'), 'privilegedReason'),
      'is required for a privileged container',
      'Explain why it must be privileged (root in it is root on the host), or remove unprivileged: false.',
    );

  const mountPoints = (guest.storageBoxMounts ?? []).map((m) => m.mountPoint ?? '/mnt/storagebox');
  (guest.storageBoxMounts ?? []).forEach((m, j) => {
    const mpath = at(at(path, 'storageBoxMounts'), j);
    if (!names.boxes.includes(m.box)) fail(ctx, at(mpath, 'box'), 'names a Storage Box that is not in storageBoxes', () => suggest(m.box, names.boxes), m.box);
    const box = (spec.storageBoxes ?? []).find((b) => b.name === m.box);
    const protocol = m.protocol ?? 'cifs';
    if (box && protocol === 'cifs' && !box.passwordSecret)
      fail(
        ctx,
        at(mpath, 'protocol'),
        `is cifs but Storage Box ${box.name} has no passwordSecret`,
        'Add passwordSecret to the box, or mount with protocol: sshfs and an sshKeySecret.',
        protocol,
      );
    if (box && protocol === 'sshfs' && !box.sshKeySecret)
      fail(
        ctx,
        at(mpath, 'protocol'),
        `is sshfs but Storage Box ${box.name} has no sshKeySecret`,
        'Add sshKeySecret to the box, or mount with protocol: cifs.',
        protocol,
      );
    if (box && protocol === 'sshfs' && !box.hostKeys?.length)
      fail(
        ctx,
        at(mpath, 'protocol'),
        `is sshfs but Storage Box ${box.name} has no hostKeys`,
        `Add hostKeys to the box: the output of \`ssh-keyscan -p 23 ${box.host}\` without the host name, checked against Hetzner's published fingerprints (the mount refuses an unknown key).`,
        protocol,
      );
  });
  unique(ctx, at(path, 'storageBoxMounts'), mountPoints, 'mount point', 'mountPoint');
  mountPoints.forEach((m, j) => {
    const disk = diskMounts.find((d) => d.path === withoutTrailingSlash(m));
    if (disk)
      fail(
        ctx,
        at(at(at(path, 'storageBoxMounts'), j), 'mountPoint'),
        `is also where ${at(path, 'disks')}[${disk.index}] is mounted`,
        'Mount the Storage Box and the data disk in different directories; one would hide the other.',
        m,
      );
  });

  (guest.stacks ?? []).forEach((stack, j) => checkStack(spec, guest, stack, at(at(path, 'stacks'), j), ctx, names, mountPoints));
}

function checkStack(spec: EnvironmentSpec, guest: GuestSpec, stack: StackSpec, path: string, ctx: Ctx, names: Names, mountPoints: string[]): void {
  for (const [key, ref] of secretRefs(stack)) {
    if (!names.secrets.includes(ref)) undeclaredSecret(ctx, at(path, key), ref, names.secrets);
  }
  if (stack.kind === 'nginx-proxy') {
    stack.upstreams.forEach((u, k) => {
      if (!names.guestSet.has(u)) fail(ctx, at(at(path, 'upstreams'), k), 'names a guest that does not exist', () => suggest(u, names.guests), u);
    });
  }
  if (stack.kind === 'monitoring') {
    (stack.targets ?? []).forEach((t, k) => {
      if (!names.guestSet.has(t)) fail(ctx, at(at(path, 'targets'), k), 'names a guest that does not exist', () => suggest(t, names.guests), t);
    });
  }
  if (stack.kind === 'postgres' && stack.backup) {
    const dataMounts = (guest.disks ?? []).map((d) => d.mountPoint).filter((m): m is string => !!m);
    if (![...mountPoints, ...dataMounts].includes(stack.backup.mountPoint))
      fail(
        ctx,
        at(at(path, 'backup'), 'mountPoint'),
        `is not a Storage Box mount or data disk of ${guest.name}`,
        `Mount a Storage Box there (storageBoxMounts) or use one of: ${[...mountPoints, ...dataMounts].join(', ') || 'none yet'}.`,
        stack.backup.mountPoint,
      );
  }
  if (stack.kind === 'vllm' && guest.kind !== 'external' && (guest.gpus ?? []).length === 0)
    fail(ctx, path, `runs vLLM but ${guest.name} has no GPU`, 'Give the guest a GPU (gpus: [<mapping name>]) or move the stack to a GPU guest.', stack.kind);
  if (stack.kind === 'compose') {
    const services = stack.services.map((s) => s.name);
    unique(ctx, at(path, 'services'), services, 'service name', 'name');
    stack.services.forEach((s, k) =>
      (s.dependsOn ?? []).forEach((d, m) => {
        if (!services.includes(d))
          fail(ctx, at(at(at(at(path, 'services'), k), 'dependsOn'), m), 'names a service that is not in this stack', () => suggest(d, services), d);
      }),
    );
  }
  void spec;
}

/** Every (field, secret name) pair a stack refers to. */
export function secretRefs(stack: StackSpec): [string, string][] {
  const out: [string, string][] = [];
  const add = (key: string, v: unknown) => {
    if (typeof v === 'string') out.push([key, v]);
    if (Array.isArray(v)) v.forEach((x, i) => typeof x === 'string' && out.push([`${key}[${i}]`, x]));
  };
  const s = stack as unknown as Record<string, unknown>;
  for (const key of ['apiKeySecret', 'hfTokenSecret', 'passwordSecret', 'grafanaAdminSecret', 'secrets']) add(key, s[key]);
  if (stack.kind === 'compose') stack.services.forEach((svc, i) => add(`services[${i}].secrets`, svc.secrets));
  return out;
}

function undeclaredSecret(ctx: Ctx, path: string, ref: string, declared: string[]): void {
  // The value is not echoed: a well-formed but undeclared name is as likely a lowercase password
  // typed where its name belongs, and these messages end up in CI logs. The hint (a search over
  // every declared name) is worked out only when the problem is reported.
  fail(ctx, path, 'refers to a secret that is not declared (value not shown: it may be a secret)', () => {
    const near = suggest(ref, declared);
    return `${near.startsWith('Did you mean') ? `${near} ` : ''}Declare the secret under secrets (<name>: { env: ..., description: ... }) and refer to it by that name${declared.length ? `; declared: ${declared.join(', ')}` : ''}.`;
  });
}

function checkPeer(ctx: Ctx, path: string, peer: string, guests: string[], guestSet: ReadonlySet<string>, roles: Set<string>, isSource: boolean): void {
  const cleanPath = path.replace(/\[-1\]$/, '');
  if (isSource && (peer === 'internet' || peer === 'admin')) return;
  const [prefix, rest] = peer.includes(':') ? [peer.slice(0, peer.indexOf(':')), peer.slice(peer.indexOf(':') + 1)] : ['guest', peer];
  if (prefix === 'guest') {
    if (!guestSet.has(rest))
      fail(
        ctx,
        cleanPath,
        'names a guest that does not exist',
        () => `${suggest(rest, guests)}${isSource ? ' Sources may also be internet, admin, role:<role>, cidr:<cidr>.' : ' Targets may also be role:<role>.'}`,
        peer,
      );
  } else if (prefix === 'role') {
    if (!roles.has(rest)) fail(ctx, cleanPath, 'names a role no guest has', () => `Roles in use: ${[...roles].join(', ')}.`, peer);
  } else if (isSource && (prefix === 'cidr' || prefix === 'ipset')) {
    if (prefix === 'cidr' && !/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/.test(rest))
      fail(ctx, cleanPath, 'is not a valid cidr: peer', 'Write cidr:198.51.100.0/24.', peer);
  } else {
    fail(
      ctx,
      cleanPath,
      `is not a valid ${isSource ? 'source' : 'target'}`,
      isSource ? 'Use internet, admin, a guest name, role:<role>, cidr:<cidr> or ipset:<name>.' : 'Use a guest name or role:<role>.',
      peer,
    );
  }
}

const withoutTrailingSlash = (p: string): string => p.replace(/(.)\/+$/, '$1');

/**
 * Where each data disk appears in the guest (see containerDataDiskPath; a VM's data disk without a
 * mountPoint is not mounted).
 */
function dataDiskMounts(guest: GuestSpec, diskNames: readonly string[]): { index: number; path: string }[] {
  return (guest.disks ?? []).flatMap((d, j) => {
    if (j === 0) return [];
    const p = guest.kind === 'lxc' ? containerDataDiskPath(diskNames[j]!, d.mountPoint) : d.mountPoint;
    return p === undefined ? [] : [{ index: j, path: withoutTrailingSlash(p) }];
  });
}

/**
 * Data disks' mount points. The root disk is the guest's `/`: pve-container gives rootfs the path
 * `/` (src/PVE/LXC/Config.pm, parse_volume), so a data disk there would hide the root file system,
 * and a root disk's own mountPoint would be ignored. pve-container refuses a mount point path with
 * a `.` or `..` component (verify_lxc_mp_string, same file); a VM's cloud-init `mounts` would
 * resolve it to another directory than the one written. Two data disks at one path hide each other.
 */
function checkDiskMountPoints(guest: GuestSpec, path: string, mounts: readonly { index: number; path: string }[], ctx: Ctx): void {
  (guest.disks ?? []).forEach((d, j) => {
    if (d.mountPoint === undefined) return;
    const where = at(at(at(path, 'disks'), j), 'mountPoint');
    if (j === 0 && d.mountPoint !== '/')
      fail(
        ctx,
        where,
        'is set on the root disk, which is always mounted at /',
        'Remove mountPoint from the first disk, or add a data disk with this mountPoint.',
        d.mountPoint,
      );
    else if (j > 0 && d.mountPoint.replace(/\/+$/, '') === '')
      fail(
        ctx,
        where,
        'is /, where the root disk is mounted',
        'Mount a data disk in a directory of its own, e.g. /var/lib/postgresql or /srv/data.',
        d.mountPoint,
      );
    else if (d.mountPoint.split('/').some((part) => part === '.' || part === '..'))
      fail(
        ctx,
        where,
        'has a . or .. component',
        'Write the directory without . or .. (Proxmox refuses such a mount point path), e.g. /srv/data.',
        d.mountPoint,
      );
  });
  mounts.forEach((m, k) => {
    const first = mounts.slice(0, k).find((o) => o.path === m.path);
    if (!first) return;
    const written = (guest.disks ?? [])[m.index]!.mountPoint;
    const byName = written === undefined || (guest.disks ?? [])[first.index]!.mountPoint === undefined;
    fail(
      ctx,
      at(at(at(path, 'disks'), m.index), 'mountPoint'),
      `is also where ${at(path, 'disks')}[${first.index}] is mounted`,
      byName
        ? "A container's data disk without mountPoint is mounted at /mnt/<name>; give one of them another mountPoint or name."
        : 'Give each data disk a directory of its own; one would hide the other.',
      written ?? m.path,
    );
  });
}

/** Reports the second and later uses of a value, at `<path>[i].<field>` (the field that repeats). */
function unique(ctx: Ctx, path: string, values: string[], what: string, field: string): void {
  const seen = new Map<string, number>();
  values.forEach((v, i) => {
    const first = seen.get(v);
    if (first !== undefined)
      fail(ctx, at(at(path, i), field), `repeats the ${what} of ${path}[${first}]`, `Each ${what} must be unique; rename one of them.`, v);
    else seen.set(v, i);
  });
}

function uniqueAcross(ctx: Ctx, spec: EnvironmentSpec): void {
  const seen = new Map<string, string>();
  spec.cluster.nodes.forEach((n, i) =>
    (n.gpus ?? []).forEach((g, j) => {
      const path = at(at(at('cluster.nodes', i), 'gpus'), j);
      const first = seen.get(g.name);
      if (first !== undefined && !first.startsWith(`cluster.nodes[${i}]`))
        fail(
          ctx,
          at(path, 'name'),
          `repeats the GPU mapping name of ${first}`,
          'PCI mappings are cluster-wide: give each GPU its own name, e.g. gpu-<node>-<n>.',
          g.name,
        );
      else if (first === undefined) seen.set(g.name, path);
    }),
  );
}
