/**
 * One Terraform stack per environment: the provider (credentials from the environment only),
 * the state backend, and a construct per guest.
 */
import { HttpBackend, LocalBackend, PgBackend, PgBackendConfig, S3Backend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ProxmoxLxc, ProxmoxVm } from '../constructs';
import type { Environment } from '../model';
import { PROVIDER_SOURCE, PROVIDER_VERSION, pve } from '../providers/proxmox';

export interface PlatformStackProps {
  /** The validated environment; the stack is named after it. */
  readonly env: Environment;
}

export class PlatformStack extends TerraformStack {
  readonly env: Environment;
  readonly vms: ProxmoxVm[] = [];
  readonly containers: ProxmoxLxc[] = [];

  constructor(scope: Construct, props: PlatformStackProps) {
    super(scope, props.env.name);
    this.env = props.env;
    // No endpoint, token or password here: the provider reads PROXMOX_VE_ENDPOINT,
    // PROXMOX_VE_API_TOKEN (or _USERNAME/_PASSWORD) and PROXMOX_VE_SSH_* when terraform runs.
    new pve.provider.ProxmoxProvider(this, 'proxmox', {});
    this.addOverride('terraform.required_providers.proxmox', { source: PROVIDER_SOURCE, version: PROVIDER_VERSION });
    this.configureBackend();

    for (const guest of this.env.guests) {
      if (guest.kind === 'vm') this.vms.push(new ProxmoxVm(this, guest.name, { env: this.env, guest }));
      if (guest.kind === 'lxc') this.containers.push(new ProxmoxLxc(this, guest.name, { env: this.env, guest }));
    }
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
        new HttpBackend(this, { address: b.address, ...(b.lockAddress ? { lockAddress: b.lockAddress } : {}), ...(b.unlockAddress ? { unlockAddress: b.unlockAddress } : {}) });
        break;
    }
  }
}
