import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { PLAYBOOKS } from '../../ansible-bridge/playbook-command';
import { OperationError } from '../../model/errors';
import { action } from '../command';

/** Whether an executable is on PATH (checked directly, without a shell). */
function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir, cmd), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** `pvestack ansible <env> <playbook> [-- extra]`: runs a playbook against the environment's inventory. */
export function register(program: Command): void {
  program
    .command('ansible')
    .description("run a host-preparation playbook with the environment's generated inventory")
    .argument('<env>', 'environment name or spec file')
    .argument('<playbook>', `${PLAYBOOKS.join(' | ')}, or a path to your own playbook`)
    .argument('[extra...]', 'arguments for ansible-playbook, after --')
    .option('--check', 'dry run: report what would change (ansible-playbook --check)')
    .option('--dynamic', 'pass the dynamic inventory script instead of a generated inventory file')
    .option('--print-command', 'print the ansible-playbook command instead of running it')
    .addHelpText(
      'after',
      `
Examples:
  $ pvestack ansible production guest-baseline --check
  $ PVESTACK_STORAGEBOX_PASSWORD=... pvestack ansible production storage-box -- --limit db
  $ pvestack ansible production proxmox-host-gpu -- -e pvestack_allow_reboot=true

Without ansible-playbook on PATH the command is printed (with the dynamic inventory) and the exit code is 1.`,
    )
    .action(
      action((ctx, envName: string, playbookArg: string, extra: string[], opts: { check?: boolean; dynamic?: boolean; printCommand?: boolean }) => {
        const { buildInventory, renderInventoryYaml } = require('../../ansible-bridge/inventory') as typeof import('../../ansible-bridge/inventory');
        const { ENV_VARIABLE } = require('../../ansible-bridge/dynamic-inventory-cli') as typeof import('../../ansible-bridge/dynamic-inventory-cli');
        const { ansiblePlaybookArgv, DYNAMIC_INVENTORY_SCRIPT, formatCommand, resolvePlaybook } =
          require('../../ansible-bridge/playbook-command') as typeof import('../../ansible-bridge/playbook-command');
        const { loadEnvironment } = require('../../stacks/registry') as typeof import('../../stacks/registry');
        const env = loadEnvironment(envName);
        const playbook = resolvePlaybook(playbookArg, (f) => fs.existsSync(f));
        const inventory = buildInventory(env);
        const dynamicArgv = ansiblePlaybookArgv({ inventory: DYNAMIC_INVENTORY_SCRIPT, playbook, check: opts.check, extra });
        const dynamicCommand = formatCommand(dynamicArgv, { [ENV_VARIABLE]: envName });
        const installed = onPath('ansible-playbook');
        if (opts.printCommand || !installed) {
          if (!installed && !opts.printCommand)
            ctx.reporter.warn('ansible-playbook is not installed (apt-get install ansible, or pipx install ansible-core); run this where it is:');
          ctx.reporter.result({ ok: installed, command: dynamicCommand, argv: dynamicArgv, env: { [ENV_VARIABLE]: envName } });
          if (!ctx.global.json) process.stdout.write(`${dynamicCommand}\n`);
          return opts.printCommand ? 0 : 1;
        }
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-ansible-'));
        try {
          let argv = dynamicArgv;
          if (!opts.dynamic) {
            const file = path.join(dir, `${inventory.group}.yml`);
            fs.writeFileSync(file, renderInventoryYaml(inventory, env));
            argv = ansiblePlaybookArgv({ inventory: file, playbook, check: opts.check, extra });
          }
          ctx.reporter.info(`$ ${formatCommand(argv, opts.dynamic ? { [ENV_VARIABLE]: envName } : {})}`);
          const child = spawnSync(argv[0]!, argv.slice(1), {
            stdio: ctx.global.json ? ['inherit', 'ignore', 'inherit'] : 'inherit',
            env: { ...process.env, [ENV_VARIABLE]: envName },
          });
          if (child.error) throw new OperationError(`could not run ansible-playbook: ${child.error.message}`);
          const code = child.status ?? 1;
          ctx.reporter.result({ ok: code === 0, playbook: path.basename(playbook), environment: env.name, check: Boolean(opts.check), ansibleExitCode: code });
          if (code !== 0) ctx.reporter.warn(`ansible-playbook exited with ${code}${child.signal ? ` (${child.signal})` : ''}`);
          return code === 0 ? 0 : 1;
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }),
    );
}
