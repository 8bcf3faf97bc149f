/**
 * The shape of every spec section: field names, types, ranges and formats. Cross-references
 * (a guest's node exists, a GPU is given once, ...) are checked afterwards in `references.ts`.
 */
import { LXC_TEMPLATE_VOLID } from '../lxc-template';
import { Cidr, IPV4, isIpv4, networkOf } from '../net';
import { STORAGE_CONTENT_TYPES } from '../storage';
import { alsoInSchema, arr, bool, Check, described, int, num, obj, oneOf, oneOrMany, optional, record, refine, required, str, tagged, fail } from './schema';
import { secretRef, stackShapes } from './stack-shapes';

export const NAME = /^[a-z][a-z0-9-]{0,62}$/;
export const NAME_HINT = 'Use lowercase letters, digits and hyphens, starting with a letter (it becomes a host name).';

export const name = (): Check<string> => str({ pattern: NAME, patternHint: NAME_HINT });

export const ipv4 = (): Check<string> =>
  refine(
    str(),
    (v, path, ctx) => {
      if (isIpv4(v)) return;
      if (/^[\d.]+\/\d+$/.test(v))
        fail(ctx, path, 'must be an address without a prefix length', `Write ${v.split('/')[0]}; the prefix comes from the network's cidr.`, v);
      else fail(ctx, path, 'is not a valid IPv4 address', 'Write four numbers from 0 to 255 separated by dots, e.g. 10.20.0.11.', v);
    },
    { pattern: IPV4.source },
  );

export const cidr = (): Check<string> =>
  refine(
    str(),
    (v, path, ctx) => {
      if (Cidr.tryParse(v)) return;
      const fixed = networkOf(v);
      if (fixed) fail(ctx, path, 'has host bits set', `Write the network address: ${fixed}.`, v);
      else fail(ctx, path, 'is not a valid IPv4 CIDR', 'Write it as address/prefix, e.g. 10.20.0.0/24.', v);
    },
    { pattern: `${IPV4.source.slice(0, -1)}/(3[0-2]|[12]?\\d)$` },
  );

const PCI = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;
const PCI_ID = /^[0-9a-f]{4}:[0-9a-f]{4}$/;
const SSH_PUBKEY =
  /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/=]+( .*)?$/;
const ENV_VAR = /^[A-Z_][A-Z0-9_]*$/;
const GIB = { min: 0.25, unit: 'GiB' } as const;

const publicKeyLine = str({
  pattern: SSH_PUBKEY,
  patternHint: 'Paste one OpenSSH public key line, e.g. "ssh-ed25519 AAAA... user@host" (the .pub file, never the private key).',
});

/** An OpenSSH public key line; a pasted private key is reported without echoing any of it. */
export const sshPublicKey = (): Check<string> =>
  described(
    (value, path, ctx) =>
      typeof value === 'string' && /PRIVATE KEY/.test(value)
        ? fail(
            ctx,
            path,
            'is a private key, not a public key (value not shown)',
            'Remove it from the spec (rotate it if it was ever committed) and paste the matching .pub line instead.',
          )
        : publicKeyLine(value, path, ctx),
    publicKeyLine.schema!,
  );

const datastore = obj(
  {
    id: required(str({ pattern: /^[a-zA-Z][a-zA-Z0-9_.-]*$/, patternHint: 'Use the Proxmox storage id, e.g. local-lvm.' })),
    type: required(oneOf(['lvmthin', 'lvm', 'zfspool', 'dir', 'cifs', 'nfs', 'rbd'] as const)),
    media: optional(oneOf(['nvme', 'ssd', 'hdd', 'network'] as const)),
    capacityGib: optional(num(GIB)),
    redundant: optional(bool()),
    content: optional(
      refine(
        arr(oneOf(STORAGE_CONTENT_TYPES, `Use the content type names pvesm uses: ${STORAGE_CONTENT_TYPES.join(', ')}.`)),
        (v, path, ctx) => {
          if (new Set(v).size !== v.length) fail(ctx, path, 'lists a content type twice', 'Name each content type once.', v);
        },
        { uniqueItems: true },
      ),
    ),
  },
  'a datastore',
);

const gpu = alsoInSchema(
  obj(
    {
      name: required(name()),
      pciAddress: required(str({ pattern: PCI, patternHint: 'Write the full PCI address in lowercase hex as lspci -D shows it, e.g. 0000:01:00.0.' })),
      model: required(str({ minLength: 1 })),
      vramGib: required(num({ min: 1, unit: 'GiB' })),
      deviceId: optional(str({ pattern: PCI_ID, patternHint: 'Write vendor:device in lowercase hex as lspci -nn shows it, e.g. 10de:26b9.' })),
      subsystemId: optional(str({ pattern: PCI_ID, patternHint: 'Write vendor:device in lowercase hex, e.g. 10de:1871.' })),
      iommuGroup: optional(int({ min: 0, hint: 'Write the number `cat /sys/bus/pci/devices/<addr>/iommu_group` links to, e.g. 14.' })),
      allFunctions: optional(bool()),
      computeCapability: optional(num({ min: 3, max: 20 })),
      adopt: optional(bool()),
    },
    'a GPU',
  ),
  {
    // references.ts: allFunctions passes the whole card, so pciAddress must be its function 0.
    if: { properties: { allFunctions: { const: true } }, required: ['allFunctions'] },
    then: { properties: { pciAddress: { type: 'string', pattern: '\\.0$' } } },
  },
);

const node = obj(
  {
    name: required(name()),
    address: optional(
      str({
        pattern: /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/,
        patternHint: 'Write an IPv4 address or DNS name without a port or user, e.g. 10.20.0.2 or pve1.example.net.',
      }),
    ),
    cpuThreads: required(int({ min: 1, unit: 'threads' })),
    memoryGib: required(num({ min: 1, unit: 'GiB' })),
    gpus: optional(arr(gpu)),
    nvidiaDriverVersion: optional(str({ pattern: /^\d+\.\d+(\.\d+)?$/, patternHint: 'Write the version nvidia-smi prints on the host, e.g. 550.127.05.' })),
    datastores: optional(arr(datastore, { min: 1 })),
    zfsArcMaxGib: optional(num({ min: 0, unit: 'GiB' })),
    snippetDatastore: optional(str({ minLength: 1 })),
    imageDatastore: optional(str({ minLength: 1 })),
    templateDatastore: optional(str({ minLength: 1 })),
  },
  'a Proxmox node',
);

const cluster = obj(
  {
    nodes: required(arr(node)),
    vmIdRange: optional(
      refine(obj({ from: required(int({ min: 100, max: 999999999 })), to: required(int({ min: 100, max: 999999999 })) }, 'the VM id range'), (r, path, ctx) => {
        if (r.from > r.to) fail(ctx, path, 'starts after it ends', 'Swap from and to.', r);
      }),
    ),
    endpoint: optional(str({ pattern: /^https:\/\/[^\s@]+$/, patternHint: 'Write the API URL without credentials, e.g. https://pve1.example.net:8006.' })),
    minProxmoxVersion: optional(str({ pattern: /^\d+\.\d+$/, patternHint: 'Write major.minor as `pveversion` prints it, e.g. 8.4.' })),
    providerAuth: optional(
      oneOf(
        ['api-token', 'root-password'] as const,
        'Use api-token (PROXMOX_VE_API_TOKEN) or root-password (root@pam with PROXMOX_VE_USERNAME/PROXMOX_VE_PASSWORD).',
      ),
    ),
  },
  'the cluster',
);

const network = obj(
  {
    name: required(name()),
    bridge: required(str({ pattern: /^[a-zA-Z][a-zA-Z0-9_.-]{0,14}$/, patternHint: 'Use the Linux bridge name, e.g. vmbr1.' })),
    cidr: required(cidr()),
    gateway: required(ipv4()),
    vlan: optional(int({ min: 1, max: 4094 })),
    bridgeVlan: optional(int({ min: 1, max: 4094 })),
    dns: optional(arr(ipv4(), { min: 1 })),
    domain: optional(str({ pattern: /^[a-z0-9.-]+$/, patternHint: 'Use a DNS domain such as internal.example.net.' })),
  },
  'a network',
);

const admin = obj(
  {
    cidrs: required(arr(cidr(), { min: 1, minHint: 'Name the networks admins connect from (VPN, office); SSH and the Proxmox UI open only to them.' })),
    sshKeys: required(arr(sshPublicKey(), { min: 1, minHint: 'Add at least one public key so someone can log in.' })),
    user: optional(str({ pattern: /^[a-z_][a-z0-9_-]{0,31}$/, patternHint: 'Use a Linux user name such as ops.' })),
    bastion: optional(name()),
  },
  'admin access',
);

const suppression = obj(
  {
    rule: required(str({ pattern: /^PVE-[A-Z]+-\d{3}$/, patternHint: 'Use a rule id such as PVE-DATA-004.' })),
    reason: required(str({ minLength: 10, patternHint: 'Explain in a sentence why this is acceptable.' })),
  },
  'a suppression',
);

const disk = obj(
  {
    name: optional(name()),
    sizeGib: required(num({ min: 1, unit: 'GiB' })),
    datastore: required(str({ minLength: 1 })),
    mountPoint: optional(str({ pattern: /^\/[^\s]*$/, patternHint: 'Use an absolute path such as /var/lib/postgresql.' })),
  },
  'a disk',
);

const storageBoxMount = obj(
  {
    box: required(name()),
    mountPoint: optional(str({ pattern: /^\/[^\s]+$/, patternHint: 'Use an absolute path such as /mnt/storagebox.' })),
    protocol: optional(oneOf(['cifs', 'sshfs'] as const)),
    subdirectory: optional(str({ pattern: /^[^\s]*$/, patternHint: 'Use a path relative to the account home, without spaces.' })),
  },
  'a Storage Box mount',
);

/** What references.ts checks per guest kind, said in JSON Schema as well so that editors flag it. */
const GUEST_KIND_RULES = {
  allOf: [
    { if: { properties: { kind: { enum: ['vm', 'lxc'] } } }, then: { required: ['node', 'disks'], properties: { disks: { type: 'array', minItems: 1 } } } },
    {
      if: { properties: { kind: { const: 'external' } } },
      then: { not: { anyOf: [{ required: ['node'] }, { required: ['vmId'] }] }, properties: { gpus: { type: 'array', maxItems: 0 } } },
    },
    {
      if: {
        properties: { kind: { const: 'lxc' }, lxc: { type: 'object', properties: { unprivileged: { const: false } }, required: ['unprivileged'] } },
        required: ['lxc'],
      },
      then: { properties: { lxc: { type: 'object', required: ['privilegedReason'] } } },
    },
  ],
};

const guest = alsoInSchema(
  obj(
    {
      name: required(name()),
      kind: required(oneOf(['vm', 'lxc', 'external'] as const, 'Use vm for a Proxmox VM, lxc for a container, external for a machine that already exists.')),
      role: required(oneOf(['web', 'proxy', 'db', 'cache', 'llm', 'ml', 'worker', 'monitoring', 'bastion', 'app', 'mail', 'backup', 'management'] as const)),
      node: optional(name()),
      vmId: optional(int({ min: 100, max: 999999999 })),
      cores: required(int({ min: 1, max: 512, unit: 'vCPU' })),
      memoryGib: required(num({ min: 0.25, max: 12288, unit: 'GiB' })),
      disks: optional(arr(disk)),
      network: optional(name()),
      ipv4: required(ipv4()),
      sshPort: optional(int({ min: 1, max: 65535 })),
      sshUser: optional(str({ pattern: /^[a-z_][a-z0-9_-]{0,31}$/, patternHint: 'Use a Linux user name.' })),
      hostKeys: optional(arr(sshPublicKey())),
      gpus: optional(arr(name())),
      hostGpus: optional(arr(gpu)),
      stateful: optional(bool()),
      tags: optional(
        arr(str({ pattern: /^[a-z0-9_][a-z0-9_+.-]*$/, patternHint: 'Proxmox tags allow lowercase letters, digits and - _ + . (no colons or spaces).' })),
      ),
      startupOrder: optional(int({ min: 0, max: 9999 })),
      storageBoxMounts: optional(arr(storageBoxMount)),
      monitoringExporters: optional(bool()),
      lxc: optional(
        obj(
          {
            unprivileged: optional(bool()),
            privilegedReason: optional(str({ minLength: 10 })),
            template: optional(
              str({
                pattern: LXC_TEMPLATE_VOLID,
                patternHint: 'Write a template volume id, <storage>:vztmpl/<file>.tar.zst, e.g. local:vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst.',
              }),
            ),
            templateUrl: optional(
              str({
                pattern: /^https?:\/\/\S+\/[^/\s]+\.tar(\.(gz|xz|zst|bz2))?$/,
                patternHint:
                  'Give the URL of a versioned template file, e.g. http://download.proxmox.com/images/system/ubuntu-24.04-standard_24.04-2_amd64.tar.zst.',
              }),
            ),
            templateChecksum: optional(
              str({
                pattern: /^([0-9a-f]{64}|[0-9a-f]{128})$/,
                patternHint: 'Give the sha512 (128 hex digits, as the Proxmox template index lists it) or the sha256 (64).',
              }),
            ),
          },
          'LXC options',
        ),
      ),
      vm: optional(
        obj(
          {
            imageUrl: optional(str({ pattern: /^https?:\/\/\S+$/ })),
            imageChecksum: optional(str({ pattern: /^[0-9a-f]{64}$/, patternHint: 'Give the sha256 as 64 hex digits.' })),
          },
          'VM options',
        ),
      ),
      stacks: optional(arr(stackShapes)),
      suppressions: optional(arr(suppression)),
      adopt: optional(bool()),
    },
    'a guest',
  ),
  GUEST_KIND_RULES,
);

const storageBox = obj(
  {
    name: required(name()),
    host: required(str({ pattern: /^[a-z0-9.-]+$/, patternHint: 'Use the DNS name, e.g. u123456.your-storagebox.de (the IP can change).' })),
    user: required(str({ pattern: /^u\d+(-sub\d+)?$/, patternHint: 'Use the account name, e.g. u123456 or u123456-sub1.' })),
    share: optional(str({ minLength: 1 })),
    capacityGib: optional(num(GIB)),
    passwordSecret: optional(secretRef()),
    sshKeySecret: optional(secretRef()),
    hostKeys: optional(arr(sshPublicKey())),
    proxmoxStorageId: optional(str({ pattern: /^[a-zA-Z][a-zA-Z0-9_.-]*$/ })),
  },
  'a Storage Box',
);

const zfsPool = obj(
  {
    name: required(str({ pattern: /^[a-zA-Z][a-zA-Z0-9_.-]*$/, patternHint: 'ZFS pool names start with a letter, e.g. tank-db.' })),
    node: required(name()),
    layout: required(oneOf(['stripe', 'mirror', 'raid10', 'raidz1', 'raidz2', 'raidz3'] as const)),
    disks: required(arr(str({ pattern: /^\/dev\/\S+$/, patternHint: 'Use a device path, preferably /dev/disk/by-id/....' }), { min: 1 })),
    diskSizeGib: required(num({ min: 1, unit: 'GiB' })),
    ashift: optional(int({ min: 9, max: 16, hint: 'Use 12 for 4K-sector disks (most disks); it cannot be changed later.' })),
    compression: optional(oneOf(['on', 'off', 'lz4', 'zstd', 'gzip'] as const)),
    storageId: optional(str({ pattern: /^[a-zA-Z][a-zA-Z0-9_.-]*$/ })),
    media: optional(oneOf(['nvme', 'ssd', 'hdd', 'network'] as const)),
  },
  'a ZFS pool',
);

const connection = obj(
  {
    from: required(oneOrMany(str({ minLength: 1 }))),
    to: required(oneOrMany(str({ minLength: 1 }))),
    ports: required(oneOrMany(str({ pattern: /^(tcp|udp)\/\d{1,5}(-\d{1,5})?$/, patternHint: 'Write protocol/port, e.g. tcp/5432 or udp/5405-5412.' }))),
    description: optional(str()),
  },
  'a connection',
);

const secret = obj(
  {
    env: required(
      str({ pattern: ENV_VAR, patternHint: 'Name an environment variable in UPPER_SNAKE_CASE; the value stays out of the repository.', redact: true }),
    ),
    description: required(str({ minLength: 3 })),
  },
  'a secret reference',
);

const backend = tagged('type', {
  local: obj({ type: required(oneOf(['local'] as const)), path: optional(str({ minLength: 1 })) }, 'the local backend'),
  s3: obj(
    {
      type: required(oneOf(['s3'] as const)),
      bucket: required(str({ minLength: 1 })),
      key: required(str({ minLength: 1 })),
      region: required(str({ minLength: 1 })),
      endpoint: optional(str()),
    },
    'the s3 backend',
  ),
  pg: obj({ type: required(oneOf(['pg'] as const)), schemaName: optional(str({ minLength: 1 })) }, 'the pg backend'),
  http: obj(
    {
      type: required(oneOf(['http'] as const)),
      address: required(
        str({ pattern: /^https?:\/\/[^\s@]+$/, patternHint: 'Use a URL without credentials; pass them as TF_HTTP_USERNAME/TF_HTTP_PASSWORD.' }),
      ),
      lockAddress: optional(str()),
      unlockAddress: optional(str()),
    },
    'the http backend',
  ),
});

const checks = obj(
  {
    cpuOvercommit: optional(num({ min: 1, max: 32 })),
    hostReserveGib: optional(num({ min: 0, unit: 'GiB' })),
    suppressions: optional(
      arr(
        obj(
          {
            rule: required(str({ pattern: /^PVE-[A-Z]+-\d{3}$/, patternHint: 'Use a rule id such as PVE-DATA-004.' })),
            reason: required(str({ minLength: 10 })),
            path: optional(str()),
          },
          'a suppression',
        ),
      ),
    ),
  },
  'check settings',
);

export const environmentShape = obj(
  {
    name: required(name()),
    description: optional(str()),
    cluster: required(cluster),
    networks: required(arr(network, { min: 1, minHint: 'Describe the network guests attach to (bridge, cidr, gateway).' })),
    admin: required(admin),
    guests: required(arr(guest)),
    zfsPools: optional(arr(zfsPool)),
    storageBoxes: optional(arr(storageBox)),
    connections: optional(arr(connection)),
    secrets: optional(
      record(
        secret,
        str({
          pattern: /^[a-z][a-z0-9_-]*$/,
          patternHint: 'Secret names are lowercase, e.g. postgres-password; the value itself never goes in the spec.',
          redact: true,
        }),
        { redactKeys: true },
      ),
    ),
    backend: optional(backend),
    checks: optional(checks),
  },
  'the environment',
);
