/**
 * `pvestack doctor <env>`: checks the live cluster against the spec through the Proxmox API
 * (read-only; the provider's PROXMOX_VE_* variables). Report and `--json` in the shape of
 * `pvestack check`; exit 0 when no unsuppressed error remains, 1 when one does, 2 for a bad spec
 * or bad credentials/endpoint.
 */
import type { Command } from 'commander';
import { action } from '../command';

interface DoctorFlags {
  readonly rules?: boolean;
}

export function register(program: Command): void {
  program
    .command('doctor')
    .description('check the live cluster against the spec: nodes, GPUs, storage, templates, VM ids, privileges, firewall (read-only)')
    .argument('[env]', 'environment name or spec file')
    .option('--rules', 'list the doctor rules (id, severity, title) and exit')
    .addHelpText(
      'after',
      `
Reads PROXMOX_VE_ENDPOINT and PROXMOX_VE_API_TOKEN (or PROXMOX_VE_USERNAME/PROXMOX_VE_PASSWORD), like
the provider. TLS is verified: trust a self-signed node with PROXMOX_VE_CA_FILE=<pve-root-ca.pem>, or
set PROXMOX_VE_INSECURE=true. Only GET requests are sent (plus the ticket login with a password).
Exit codes: 0 no unsuppressed errors, 1 errors remain, 2 invalid spec, credentials or endpoint.`,
    )
    .action(
      action(async (ctx, envName: string | undefined, flags: DoctorFlags) => {
        // Loaded here, not at the top: only this verb needs the API client and the rules. `require`
        // (not `import()`): the CLI runs through tsx's CommonJS hook.
        const { DOCTOR_RULES, doctor } = require('../../cluster/doctor') as typeof import('../../cluster/doctor');
        const { checkResultJson, formatReportText } = require('../../checks') as typeof import('../../checks');
        const { loadEnvironments } = require('../../pipeline') as typeof import('../../pipeline');
        if (flags.rules) {
          const rules = DOCTOR_RULES.map((r) => ({ id: r.id, family: r.family, severity: r.severity, title: r.title }));
          ctx.reporter.result({ rules });
          for (const r of rules) ctx.reporter.info(`${r.id.padEnd(13)} ${r.severity.padEnd(8)} ${r.title}`);
          return 0;
        }
        if (!envName) {
          const { UsageError } = require('../../model') as typeof import('../../model');
          throw new UsageError('doctor needs an environment', 'Run `pvestack doctor <env>` with a registered name or a spec file.');
        }
        const [env] = loadEnvironments([envName]);
        const report = await doctor(env!);
        ctx.reporter.result(checkResultJson([report]));
        if (ctx.global.quiet && !ctx.global.json) process.stdout.write(`${formatReportText(report, { minSeverity: 'warning', showSuppressed: false })}\n`);
        ctx.reporter.info(formatReportText(report));
        return report.ok ? 0 : 1;
      }),
    );
}
