/**
 * Example B exactly as planned: both GPU consumers were given the first RTX 5060 Ti while the
 * second card sat idle, and nobody wrote down the host driver version the LXCs depend on. Kept so
 * `pvestack check` is proven to catch both (PVE-GPU-001, PVE-GPU-003). Never deploy it.
 *
 * Not in the registry, on purpose: the constructs refuse to synthesize a GPU given to two guests,
 * and every registered environment is synthesized by `cdktf synth`. Check it by path:
 * `pvestack check stacks/examples/lab-as-planned.ts`.
 */
import { defineEnvironment } from '../../model';
import { showcaseLab } from './lab/showcase-lab';

export default defineEnvironment(
  showcaseLab({
    name: 'lab-as-planned',
    description: 'BROKEN on purpose: both GPU LXCs on one RTX 5060 Ti and no host driver version, to prove the GPU checks.',
    secondConsumerGpu: 'gpu-phoenix-0',
  }),
);
