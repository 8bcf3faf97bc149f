/**
 * The OpenSSH client options of every non-interactive connection pvestack makes or tests with:
 * one key only (`IdentitiesOnly`, so an agent's other keys are never offered), the host key pinned
 * in a known_hosts file of its own (`StrictHostKeyChecking=yes`: an unknown or changed key is
 * refused, never recorded), and no prompt (`BatchMode`: a missing key fails instead of waiting for
 * a password). Options as ssh_config(5) names them.
 */
export function pinnedKeyOptions(identityFile: string, knownHostsFile: string): string[] {
  return [
    '-i',
    identityFile,
    '-o',
    `UserKnownHostsFile=${knownHostsFile}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
  ];
}
