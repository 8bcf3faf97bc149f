/**
 * The host exporter derived for a scraped guest (model/derived-exporters.ts) serves the series the
 * disk alert reads: production's db node-exporter stack, as rendered (pid host, the root file
 * system at /host with rslave propagation, --path.rootfs=/host), runs in a real dockerd and
 * answers with node_filesystem_avail_bytes and node_filesystem_size_bytes for the guest's `/`.
 * No registry: the image is the machine's Debian node_exporter binary with its libc, started by
 * the same entrypoint as prom/node-exporter (`/bin/node_exporter`), and the published address is
 * moved from the guest's to loopback.
 *
 * `rslave` needs the source's mount to be shared or slave (Docker refuses otherwise). systemd makes
 * every mount shared at boot, so on a guest `/` is; on this machine it is private. The test shows
 * the refusal on the private `/`, then mounts the host's root read-only and shared in a scratch
 * directory (changing nothing else) and gives that as the source of `/host`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';
import { loadEnvironment } from '../../../stacks/registry';
import { renderGuest, sharedNetworkName } from '../../../templates/render';
import { describeWithTools, run, scratchDir, waitFor } from '../../support/tools';

const dockerHost = inject('dockerHost');
const BINARY = '/usr/bin/prometheus-node-exporter';
const IMAGE = 'local/node-exporter:test';
const PORT = 19100;

describeWithTools(
  'the derived node-exporter stack serves the disk alert series (real container)',
  dockerHost ? ['docker', 'docker-compose', 'mount', 'mountpoint', BINARY] : ['dockerd-started-by-global-setup'],
  () => {
    const scratch = scratchDir('pvestack-node-exporter-');
    const env = { ...process.env, DOCKER_HOST: dockerHost };
    const docker = (args: string[], cwd?: string) => spawnSync(args[0]!, args.slice(1), { env, cwd, encoding: 'utf8', timeout: 120_000 });
    const project = path.join(scratch.dir, 'node-exporter');
    const hostRoot = path.join(scratch.dir, 'hostroot');
    const mounted = () => spawnSync('mountpoint', ['-q', hostRoot]).status === 0;
    afterAll(() => {
      docker(['docker-compose', '-p', 'pvestack-ne-test', 'down', '-t', '1'], project);
      docker(['docker', 'network', 'rm', sharedNetworkName(loadEnvironment('production'))]);
      if (mounted()) spawnSync('umount', [hostRoot]);
      // Never delete recursively through a bind mount of the machine's root.
      if (!mounted()) scratch.cleanup();
    });

    it('answers /metrics with the root file system of the host', async () => {
      const production = loadEnvironment('production');
      const db = production.guests.find((g) => g.name === 'db')!;
      const stack = renderGuest(production, db).find((s) => s.name === 'node-exporter')!;
      const compose = stack.files.find((f) => f.path === 'compose.yaml')!.content;
      expect(compose).toContain(`${db.ipv4}:9100:9100`);

      // The image: node_exporter and the libraries ldd names, nothing else.
      const root = path.join(scratch.dir, 'root');
      const libs = run('ldd', [BINARY])
        .split('\n')
        .map((l) => /(\/\S+) \(0x/.exec(l)?.[1])
        .filter((l): l is string => l !== undefined);
      for (const [from, to] of [[BINARY, '/bin/node_exporter'], ...libs.map((l) => [l, l])] as [string, string][]) {
        fs.mkdirSync(path.dirname(path.join(root, to)), { recursive: true });
        fs.copyFileSync(fs.realpathSync(from), path.join(root, to));
      }
      fs.chmodSync(path.join(root, 'bin/node_exporter'), 0o755);
      run('sh', ['-c', `tar -C ${root} -c . | docker import -c 'ENTRYPOINT ["/bin/node_exporter"]' - ${IMAGE}`], { env });

      fs.mkdirSync(project, { recursive: true });
      const local = compose.replace(/image: prom\/node-exporter:\S+/, `image: ${IMAGE}`).replace(`${db.ipv4}:9100:9100`, `127.0.0.1:${PORT}:9100`);
      expect(local).toContain('- /:/host:ro,rslave');
      docker(['docker', 'network', 'create', sharedNetworkName(production)]);

      // As rendered, on this machine's private `/`: Docker refuses the rslave mount.
      fs.writeFileSync(path.join(project, 'compose.yaml'), local);
      const refused = docker(['docker-compose', '-p', 'pvestack-ne-test', 'up', '-d'], project);
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/not a shared or slave mount/);
      docker(['docker-compose', '-p', 'pvestack-ne-test', 'down', '-t', '1'], project);

      // The host's root, read-only and shared, as `/` is on a systemd guest.
      fs.mkdirSync(hostRoot);
      run('mount', ['--bind', '/', hostRoot]);
      run('mount', ['-o', 'remount,bind,ro', hostRoot]);
      run('mount', ['--make-shared', hostRoot]);
      fs.writeFileSync(path.join(project, 'compose.yaml'), local.replace('- /:/host:ro,rslave', `- ${hostRoot}:/host:ro,rslave`));
      const up = docker(['docker-compose', '-p', 'pvestack-ne-test', 'up', '-d'], project);
      expect(up.status, up.stderr).toBe(0);

      let body = '';
      await waitFor(
        'node_exporter /metrics',
        async () => {
          body = await fetch(`http://127.0.0.1:${PORT}/metrics`)
            .then((r) => (r.ok ? r.text() : ''))
            .catch(() => '');
          return body.includes('node_filesystem_avail_bytes');
        },
        30_000,
        250,
      );
      const root_ = (metric: string) => new RegExp(`^${metric}\\{[^}]*mountpoint="/"[^}]*\\} \\d`, 'm');
      expect(body).toMatch(root_('node_filesystem_avail_bytes'));
      expect(body).toMatch(root_('node_filesystem_size_bytes'));
    }, 180_000);
  },
  { root: true },
);
