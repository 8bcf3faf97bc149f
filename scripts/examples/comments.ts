/**
 * The comments of the YAML examples in docs/examples/: what each section is for and which fields
 * to reach for, by spec path. Shared ones explain the spec; each architecture adds its own.
 */

/** Spec path (`cluster.nodes[0].datastores`) → comment lines above it. */
export type CommentTable = Readonly<Record<string, readonly string[]>>;

/** Above the top-level sections of every example. */
export const SECTION_COMMENTS: CommentTable = {
  name: ['Names the output directory (cdktf.out/stacks/<name>/): give your copy its own name.'],
  cluster: [
    'The Proxmox nodes: threads, RAM, datastores (redundant: true for mirrors/RAIDZ), GPUs for passthrough.',
    "`pvestack discover --node <node>` prints a node's real facts in this shape.",
  ],
  networks: ["The guests' networks: a Linux bridge on every node, the CIDR and gateway; domain and dns are optional."],
  admin: ['Where admins work from (SSH and the Proxmox UI are reachable only from these CIDRs) and their public keys.'],
  zfsPools: ['ZFS pools by layout and disks; usable capacity is computed and checked against what guests claim.'],
  storageBoxes: ['Hetzner Storage Boxes: the off-site backup target, mounted in guests over CIFS (445) or SSHFS (23).'],
  guests: ['VMs, containers (lxc) and existing machines (external), each with its address, disks and app stacks.'],
  connections: ['Allowed flows (from → to, ports); everything else is dropped. Sources: a guest, role:<role>, admin, internet, cidr:<cidr>.'],
  secrets: ['Secrets by name; the value comes from the named environment variable at deploy time, never from this file.'],
  checks: ['Accepted findings, each with its reason, and the capacity settings of the preflight checks.'],
  backend: ['Where Terraform keeps its state.'],
};

/** Above the first occurrence of a field anywhere in an example: the fields people had to guess. */
export const FIRST_USE_COMMENTS: Readonly<Record<string, readonly string[]>> = {
  datastores: [
    'Storages of the node by Proxmox id: type and media drive the checks, redundant: true marks RAID/mirrors,',
    'capacityGib (`pvesm status`) lets disk claims be checked, content lists what it may hold.',
  ],
  gpus: ['GPUs by mapping name: the PCI address (lspci -D), VRAM, vendor:device and subsystem ids, IOMMU group.'],
  disks: ['The first disk boots; a named disk with a mountPoint is a data disk (protected on stateful guests).'],
  storageBoxMounts: ['Mounts a Storage Box in this guest (systemd automount, nofail): where backups and shared files go.'],
  stacks: ['App stacks rendered to compose files and shipped by `pvestack deploy`; kind selects the renderer.'],
  backup: [
    'Base backups on schedule (default daily at 02:30 UTC; every: weekly, day, at) and continuous WAL archiving into this mount',
    '(a Storage Box mount); retentionDays bounds how long both stay. pvestack backup verify proves they restore.',
  ],
  suppressions: ['An accepted check finding: the rule id and the reason it is fine here (PVE-CHK-002 reports one that no longer matches).'],
  modelFacts: ["The model's shape from its config.json, for the fit check when the built-in table does not know it."],
  hostGpus: ["An external host's own GPUs, described so the model-fit check can use them."],
  lxc: ['Container options: unprivileged by default (root inside is not root on the host).'],
  hostKeys: ['Pinned SSH host keys: a connection to a machine (or Storage Box) that presents another key is refused.'],
};

/** Per architecture: a header and comments on the parts that make it what it is. */
export const EXAMPLES: Readonly<Record<string, { readonly title: string; readonly header: readonly string[]; readonly comments: CommentTable }>> = {
  production: {
    title: 'A. Education platform',
    header: [
      'Five Proxmox nodes: two Next.js VMs behind an nginx proxy, PostgreSQL with pgvector on a RAID-10 ZFS pool',
      '(nightly dumps and WAL archive to a Storage Box), Redis, vLLM on the 48 GB card, an ML VM, workers and monitoring.',
    ],
    comments: {},
  },
  lab: {
    title: 'B. AI showcase lab',
    header: [
      'One host with two 16 GB GPUs passed to two LXCs (device passthrough) serving 4-bit 7B models, three VMs',
      'running the showcase stack behind nginx, and a hosted VPS as an external deploy target. Nothing is public.',
    ],
    comments: {},
  },
  chat: {
    title: 'C. Multi-model chat',
    header: [
      'A rented bare-metal GPU server (external) serving vLLM and Whisper, PostgreSQL, Redis, a bastion and mail',
      'as VMs on a ZFS mirror, staging beside production, models on a Storage Box over SSHFS.',
    ],
    comments: {},
  },
  quiz: {
    title: 'D. Quiz platform',
    header: [
      'The "self-host everything" Kubernetes plan as 14 VMs with compose stacks on three nodes: Traefik at the edge,',
      'the Next.js app, PostgreSQL HA with repmgr, Redis, Qdrant, MinIO, ClickHouse, Keycloak, Novu, PostHog, Temporal.',
    ],
    comments: {},
  },
};
