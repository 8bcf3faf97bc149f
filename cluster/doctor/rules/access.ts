/**
 * Access and the datacenter: the credentials' effective privileges cover what the environment's
 * resources need at apply time, and the datacenter firewall is on (or the apply turns it on).
 */
import type { Issue } from '../../../checks';
import { missingPrivileges } from '../privileges';
import type { DoctorRule } from '../types';

export const privileges: DoctorRule = {
  id: 'PVE-LIVE-020',
  family: 'live',
  severity: 'error',
  title: "The credentials' effective privileges cover what the environment's resources need",
  check: ({ env, facts }) =>
    missingPrivileges(env, facts).map(({ aclPath, missing, why }): Issue => ({
      path: 'cluster.providerAuth',
      message: `the credentials lack ${missing.join(', ')} on ${aclPath}, needed for ${why.join('; ')}`,
      hint: `Grant them on ${aclPath} (or a parent, propagating): e.g. a role with those privileges via \`pveum acl modify ${aclPath} --tokens <user@realm!tokenid> --roles <role>\`; with privilege separation the token needs the ACL itself. Doctor reads the permissions of the credentials it runs with: use the ones the provider applies with.`,
    })),
};

export const datacenterFirewall: DoctorRule = {
  id: 'PVE-LIVE-021',
  family: 'live',
  severity: 'warning',
  title: 'The datacenter firewall is enabled, or the apply enables it knowingly',
  check: ({ env, facts }): Issue[] =>
    facts.firewall.enable === 1
      ? []
      : [
          {
            path: 'admin.cidrs',
            message:
              'the datacenter firewall is disabled now; the apply enables it (proxmox_virtual_environment_cluster_firewall enabled = true) with input policy DROP',
            hint: `Before the first apply, make sure SSH and port 8006 are allowed from the admin networks (${env.admin.cidrs.join(', ')}) you manage the cluster from, or you lock yourself out; Proxmox keeps 8006/22 open from the local cluster network only.`,
          },
        ],
};

export const ACCESS_RULES: readonly DoctorRule[] = [privileges, datacenterFirewall];
