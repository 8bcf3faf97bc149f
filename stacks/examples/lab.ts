/**
 * Example B, the AI showcase lab as it should be: each GPU consumer on its own RTX 5060 Ti, and the
 * host driver version recorded so the LXCs' user-space driver can match it.
 */
import { defineEnvironment } from '../../model';
import { showcaseLab } from './lab/showcase-lab';

export default defineEnvironment(
  showcaseLab({
    name: 'lab',
    description:
      'AI showcase lab: Proxmox host phoenix (2 × RTX 5060 Ti), two GPU LXCs, Portainer, three Rumple mirrors, and the hosted VPS Rumple behind a Cloudflare tunnel.',
    secondConsumerGpu: 'gpu-phoenix-1',
    nvidiaDriverVersion: '570.172.08',
  }),
);
