/**
 * The doctor as one call: connect with the provider's variables, read the facts, run the rules.
 * The client is closed afterwards so the process can exit.
 */
import type { CheckReport } from '../../checks';
import type { Environment } from '../../model';
import { ProxmoxClient } from '../client';
import { connectionConfigFrom } from '../config';
import { gatherFacts } from '../facts';
import { runDoctor } from './engine';

export interface DoctorOptions {
  /** Where the PROXMOX_VE_* variables come from. @default process.env */
  readonly variables?: NodeJS.ProcessEnv;
  /** Wait between retries (tests pass a fast one). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export async function doctor(env: Environment, opts: DoctorOptions = {}): Promise<CheckReport> {
  const client = new ProxmoxClient(connectionConfigFrom(opts.variables ?? process.env), opts.sleep);
  try {
    return runDoctor(env, await gatherFacts(client, env));
  } finally {
    client.close();
  }
}
