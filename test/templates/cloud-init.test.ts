import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderCloudInit } from '../../templates/cloud-init';
import { fixtureEnv } from '../constructs/fixture';

const render = (guest: string, env = fixtureEnv()) =>
  renderCloudInit(
    env,
    env.guests.find((g) => g.name === guest)!,
  );
type Doc = Record<string, unknown> & {
  users: Record<string, unknown>[];
  packages: string[];
  runcmd: string[][];
  write_files: { path: string; content: string }[];
};
const doc = (text: string) => parse(text) as Doc;

describe('renderCloudInit', () => {
  it('starts with #cloud-config and is deterministic', () => {
    expect(render('web').startsWith('#cloud-config\n')).toBe(true);
    expect(render('web')).toBe(render('web'));
  });

  it('creates the admin user with ssh_authorized_keys (never the hyphenated key) and no password', () => {
    const text = render('web');
    const [user] = doc(text).users;
    expect(user).toMatchObject({
      name: 'ops',
      lock_passwd: true,
      ssh_authorized_keys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFixtureKeyOnlyForTests ops@fixture'],
    });
    expect(text).not.toContain('ssh-authorized-keys');
    expect(doc(text).ssh_pwauth).toBe(false);
  });

  it('installs the guest agent and Docker with the compose plugin on a guest that runs stacks', () => {
    const d = doc(render('web'));
    expect(d.packages).toEqual(expect.arrayContaining(['qemu-guest-agent', 'docker-ce', 'docker-compose-plugin']));
    expect(d.runcmd).toContainEqual(['systemctl', 'enable', '--now', 'qemu-guest-agent']);
    expect(d.runcmd).toContainEqual(['usermod', '-aG', 'docker', 'ops']);
    expect(d.apt).toMatchObject({ sources: { 'docker.list': { keyid: expect.any(String) } } });
  });

  it('skips Docker on a guest without stacks', () => {
    const env = fixtureEnv((s) => (s.guests[0] = { ...s.guests[0]!, stacks: [] }));
    const d = doc(render('web', env));
    expect(d.packages).not.toContain('docker-ce');
    expect(d).not.toHaveProperty('apt');
  });

  it('installs the NVIDIA driver and container toolkit on a GPU guest only', () => {
    const gpu = doc(render('llm'));
    expect(gpu.packages).toEqual(
      expect.arrayContaining([expect.stringMatching(/^nvidia-headless-\d+-server$/), expect.stringMatching(/^nvidia-utils-\d+-server$/)]),
    );
    expect(gpu.packages).toContain('nvidia-container-toolkit');
    // The source comes with its key from the apt module (before any package is installed), never from write_files.
    const sources = (gpu as unknown as { apt: { sources: Record<string, { source: string; keyid: string }> } }).apt.sources;
    expect(sources['nvidia-container-toolkit.list']).toEqual({
      source: expect.stringContaining('signed-by=$KEY_FILE] https://nvidia.github.io/libnvidia-container/stable/deb/amd64 /'),
      keyid: 'C95B321B61E88C1809C4F759DDCAE044F796ECB0',
    });
    expect((gpu.write_files ?? []).map((f) => f.path).filter((p) => p.startsWith('/etc/apt'))).toEqual([]);
    expect(JSON.stringify(gpu.runcmd)).not.toContain('gpgkey');
    expect(gpu.runcmd).toContainEqual(['nvidia-ctk', 'runtime', 'configure', '--runtime=docker']);
    expect(gpu.power_state).toMatchObject({ mode: 'reboot' });
    const plain = doc(render('web'));
    expect(plain.packages.some((p) => p.startsWith('nvidia'))).toBe(false);
    expect(plain).not.toHaveProperty('power_state');
  });

  it('sets vm.overcommit_memory = 1 on a guest that runs Redis, and only there', () => {
    const env = fixtureEnv(
      (s) => (s.guests[0] = { ...s.guests[0]!, stacks: [...(s.guests[0]!.stacks ?? []), { kind: 'redis', passwordSecret: 'session', maxMemoryMib: 512 }] }),
    );
    const d = doc(render('web', env));
    expect(d.write_files).toContainEqual(expect.objectContaining({ path: '/etc/sysctl.d/60-pvestack-redis.conf', content: 'vm.overcommit_memory = 1\n' }));
    expect(d.runcmd).toContainEqual(['sysctl', '-p', '/etc/sysctl.d/60-pvestack-redis.conf']);
    expect(JSON.stringify(doc(render('web')))).not.toContain('overcommit');
  });

  it('formats and mounts data disks that have a mount point', () => {
    const d = doc(render('db'));
    expect(d.fs_setup).toEqual([
      { label: 'pgdata', filesystem: 'ext4', device: '/dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_pgdata', partition: 'none', overwrite: false },
    ]);
    expect(d.mounts).toEqual([['/dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_pgdata', '/var/lib/postgresql', 'ext4', 'defaults,nofail,discard', '0', '2']]);
    expect(doc(render('web'))).not.toHaveProperty('mounts');
  });

  it('writes the Storage Box units and enables the automount, without the credentials', () => {
    const text = render('db');
    const d = doc(text);
    expect(d.write_files.map((f) => f.path)).toEqual(
      expect.arrayContaining(['/etc/systemd/system/mnt-storagebox.mount', '/etc/systemd/system/mnt-storagebox.automount']),
    );
    expect(d.runcmd).toContainEqual(['systemctl', 'enable', '--now', 'mnt-storagebox.automount']);
    expect(d.packages).toContain('cifs-utils');
    expect(text).toContain('credentials=/etc/pvestack/storagebox-offsite.cred');
    expect(text).not.toMatch(/password=/);
  });

  it('renders as snapshotted', () => {
    expect({ db: render('db'), llm: render('llm') }).toMatchSnapshot();
  });
});
