/**
 * Example C as it actually ran, incidents included: PostgreSQL open to the internet on port
 * 15432, SSH open to the world on 22 and 2222, and a stray debug server on vLLM's port 8001.
 * Kept so `pvestack check` is proven to catch each of them. Never deploy it.
 */
import { defineEnvironment } from '../../model';
import { multiModelChat } from './chat/multi-model-chat';

export default defineEnvironment(
  multiModelChat({
    name: 'chat-as-planned',
    description: 'BROKEN on purpose: the incidents as they happened, to prove the firewall and listener checks.',
    incidents: true,
  }),
);
