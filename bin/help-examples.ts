/**
 * Examples shown at the end of `pvestack <command> --help`, for the commands whose own file does
 * not print any. Kept in one table so that every verb has at least one (a test checks it) and the
 * README can point here; a verb that prints its own "Examples:" block is left alone.
 */
import type { Command } from 'commander';

/** Command path (`lock status`) → example lines: the command, then what it does. */
export const HELP_EXAMPLES: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  init: [
    ['pvestack init lab', 'envs/lab.yaml: proxy, web app and PostgreSQL with backups (asks on a terminal)'],
    ['pvestack init lab --format ts --gpus 1 --stacks web,postgres,vllm --ssh-key ~/.ssh/id_ed25519.pub --yes', 'envs/lab.ts, with a GPU and vLLM'],
  ],
  list: [
    ['pvestack list', 'registered environments and their guests'],
    ['pvestack list --json | jq ".environments[].name"', 'the names, for a script'],
  ],
  synth: [
    ['pvestack synth production', 'cdktf.out/stacks/production/{cdk.tf.json,artifacts/}'],
    ['pvestack synth envs/lab.yaml -o build', 'a spec file, into build/stacks/lab/'],
  ],
  validate: [
    ['pvestack validate production', 'the synthesized JSON against the pinned provider schema'],
    ['pvestack validate --no-terraform --json', 'every environment, offline, for CI'],
  ],
  check: [
    ['pvestack check production', 'preflight checks with hints, in well under a second'],
    ['pvestack check envs/lab.yaml --json', 'a spec file; findings carry file:line'],
    ['pvestack check --rules', 'every rule id, severity and title'],
  ],
  render: [['pvestack render dev', 'cloud-init, compose, nginx and PostgreSQL files without Terraform JSON']],
  up: [
    ['pvestack up dev --dry-run --no-gpu', 'the docker commands, and which secret values are still missing'],
    ['pvestack up dev --no-gpu', 'the app stacks on the local Docker engine, vLLM left out'],
  ],
  down: [
    ['pvestack down dev', 'stop what up started; volumes are kept'],
    ['pvestack down dev --volumes', 'also delete the named volumes (data is lost)'],
  ],
  deploy: [
    ['pvestack deploy staging --dry-run', 'per host, the commands and files a deploy would ship (secrets masked)'],
    ['pvestack deploy production --only llm --env-file prod.env', 'one guest, secret values from a file'],
  ],
  lock: [
    ['pvestack lock status production db', 'who holds the deploy lock on db'],
    ['pvestack lock release production db', "remove a dead deploy's lock"],
  ],
  doctor: [
    ['PROXMOX_VE_ENDPOINT=https://pve1:8006/ pvestack doctor production', 'the live cluster against the spec, read-only, with a fix per finding'],
    ['pvestack doctor envs/lab.yaml --json', 'the same report document as check --json, for CI'],
    ['pvestack doctor --rules', 'every doctor rule id, severity and title'],
  ],
  discover: [
    ['pvestack discover --node pve1', "pve1's CPU, memory, GPUs, datastores and ZFS pools as YAML for cluster.nodes"],
    ['pvestack discover --node pve1 --json', 'the same facts as JSON'],
  ],
  import: [
    ['pvestack import lab --node pve1', 'a spec fragment adopting the guests made by hand on pve1'],
    ['pvestack import envs/lab.yaml --vmid 100 101 --write envs/lab.yaml', 'merge two adopted guests into the YAML spec'],
  ],
  backup: [['pvestack backup verify production db', "restore drill of db's newest backup in a throwaway container"]],
  'backup verify': [
    ['pvestack backup verify production db', 'restore the newest base backup + WAL on db, query it, report the restored point in time'],
    ['pvestack --json backup verify staging db', 'the same for a weekly CI job; exit 1 when the restore fails'],
  ],
  'lock status': [['pvestack lock status production db', 'who holds the deploy lock, since when, which commit']],
  'lock release': [['pvestack lock release production db', 'remove the lock once the deploy holding it is dead']],
};

function pathOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The "Examples:" block for a command path, aligned like the program's own. */
export function examplesText(commandPath: string): string | undefined {
  const lines = HELP_EXAMPLES[commandPath];
  if (!lines?.length) return undefined;
  const width = Math.max(...lines.map(([cmd]) => cmd.length)) + 3;
  return `\nExamples:\n${lines.map(([cmd, what]) => `  $ ${cmd.padEnd(width)}${what}`).join('\n')}`;
}

/**
 * Adds the table's examples to every command (and subcommand) that has an entry. Call after the
 * verbs registered themselves; a verb that prints its own examples has no entry.
 */
export function addHelpExamples(program: Command): void {
  const visit = (cmd: Command): void => {
    const text = examplesText(pathOf(cmd));
    if (text) cmd.addHelpText('after', text);
    cmd.commands.forEach(visit);
  };
  program.commands.forEach(visit);
}
