/**
 * Example C, the multi-model chat with its firewall intent done right: PostgreSQL reachable only
 * from the application guests, SSH only from the admin range and the bastion, the LLM's port
 * served by vLLM alone.
 */
import { defineEnvironment } from '../../model';
import { multiModelChat } from './chat/multi-model-chat';

export default defineEnvironment(
  multiModelChat({
    name: 'chat',
    description: 'Multi-model chat: bare-metal GPU server (vLLM, Whisper), Proxmox nodes prox-101/prox-106, off-site backups on prox-102, a 5 TB Storage Box.',
    incidents: false,
  }),
);
