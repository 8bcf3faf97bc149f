/**
 * One Terraform stack per environment: the provider (credentials from the environment only),
 * the state backend, GPU mappings, ZFS pools, Storage Box storage, a construct per guest, and the
 * firewall compiled from the reachability matrix.
 */
import { HttpBackend, LocalBackend, PgBackend, PgBackendConfig, S3Backend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { EnvironmentFirewall, GpuPassthrough, IConnectable, ProxmoxLxc, ProxmoxVm, ProxmoxZfsPool, StorageBoxStorage } from '../constructs';
import type { Environment } from '../model';
import { reachability } from '../model';
import { PROVIDER_SOURCE, PROVIDER_VERSION, pve } from '../providers/proxmox';
import { withPlainResolve } from './plain-resolve';

export interface PlatformStackProps {
  /** The validated environment; the stack is named after it. */
  readonly env: Environment;
}

export class PlatformStack extends TerraformStack {
  readonly env: Environment;
  readonly vms: ProxmoxVm[] = [];
  readonly containers: ProxmoxLxc[] = [];
  readonly zfsPools: ProxmoxZfsPool[] = [];
  readonly storageBoxes: StorageBoxStorage[] = [];
  /** Cluster firewall objects; undefined for an environment without Proxmox nodes. */
  readonly firewall?: EnvironmentFirewall;

  constructor(scope: Construct, props: PlatformStackProps) {
    super(scope, props.env.name);
    const env = props.env;
    this.env = env;
    // No endpoint, token or password here: the provider reads PROXMOX_VE_ENDPOINT,
    // PROXMOX_VE_API_TOKEN (or _USERNAME/_PASSWORD) and PROXMOX_VE_SSH_* when terraform runs.
    new pve.provider.ProxmoxProvider(this, 'proxmox', {});
    this.addOverride('terraform.required_providers.proxmox', { source: PROVIDER_SOURCE, version: PROVIDER_VERSION });
    this.configureBackend();
    if (env.cluster.nodes.length === 0) return;

    // Every declared GPU gets its mapping, used or not, so the cluster's inventory is complete.
    const gpus = env.cluster.nodes.some((n) => n.gpus.length > 0) ? GpuPassthrough.of(this, env) : undefined;
    for (const pool of env.zfsPools) this.zfsPools.push(new ProxmoxZfsPool(this, `zfs-${pool.name}`, { pool }));
    for (const box of env.storageBoxes.filter((b) => b.proxmoxStorageId))
      this.storageBoxes.push(new StorageBoxStorage(this, `storagebox-${box.name}`, { box }));

    const targets = new Map<string, IConnectable>();
    for (const guest of env.guests) {
      const pools = this.zfsPools.filter((p) => p.pool.node === guest.node && guest.disks.some((d) => d.datastore === p.pool.storageId));
      // A guest whose disks live on a ZFS pool declared here waits for the pool's storage entry.
      const opts = { env, guest, ...(gpus ? { gpuPassthrough: gpus } : {}), dependsOn: pools.map((p) => p.storage) };
      const construct =
        guest.kind === 'vm' ? ProxmoxVm.fromGuest(this, guest.name, opts) : guest.kind === 'lxc' ? ProxmoxLxc.fromGuest(this, guest.name, opts) : undefined;
      if (construct instanceof ProxmoxVm) this.vms.push(construct);
      if (construct instanceof ProxmoxLxc) this.containers.push(construct);
      if (construct) targets.set(guest.name, construct);
    }

    this.firewall = new EnvironmentFirewall(this, 'firewall', { env });
    this.firewall.applyFlows(reachability(env), targets);
  }

  /**
   * cdktf's prepareStack (cdktf/lib/terraform-stack.js) resolves every element once before the
   * synthesis proper, only so that references to *another* stack can add outputs and remote-state
   * data sources; synthesis then resolves every element again. A PlatformStack is built from one
   * environment and refers to nothing outside itself, and its lazy values (firewall rules,
   * depends_on) create no constructs, so the first pass only costs time: a third of `app.synth`.
   * The backend step is kept. test/bin/commands/synth.tool.test.ts shows the output stays byte-identical
   * to `cdktf synth`'s.
   */
  override prepareStack(): void {
    this.ensureBackendExists();
  }

  /**
   * cdktf's own toTerraform, with the token-free parts of every element resolved by a plain walk
   * instead of cdktf's generic resolve (see plain-resolve.ts): the same JSON, in about a fifth of
   * the time on a large environment. test/stacks/plain-resolve.test.ts compares the two on every
   * environment.
   */
  override toTerraform(): ReturnType<TerraformStack['toTerraform']> {
    return withPlainResolve(() => super.toTerraform());
  }

  /** Backend settings carry no credentials: S3 keys, PG_CONN_STR and TF_HTTP_* come from the environment. */
  private configureBackend(): void {
    const b = this.env.backend;
    switch (b.type) {
      case 'local':
        new LocalBackend(this, { path: b.path ?? `terraform.${this.env.name}.tfstate` });
        break;
      case 's3':
        new S3Backend(this, { bucket: b.bucket, key: b.key, region: b.region, ...(b.endpoint ? { endpoints: { s3: b.endpoint }, usePathStyle: true } : {}) });
        break;
      case 'pg':
        // conn_str is left out on purpose: terraform then reads PG_CONN_STR, which holds the password.
        new PgBackend(this, { schemaName: b.schemaName ?? `pvestack_${this.env.name.replace(/-/g, '_')}` } as PgBackendConfig);
        break;
      case 'http':
        new HttpBackend(this, {
          address: b.address,
          ...(b.lockAddress ? { lockAddress: b.lockAddress } : {}),
          ...(b.unlockAddress ? { unlockAddress: b.unlockAddress } : {}),
        });
        break;
    }
  }
}
