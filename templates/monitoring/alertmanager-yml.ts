/**
 * alertmanager.yml with one receiver, `team`. With a webhook (`alerting.webhookUrlSecret`) every
 * alert goes there; the URL is a secret, so the rendered file holds a placeholder that the
 * container's entrypoint replaces at start from the env file, in a private copy (the same way
 * the Redis password reaches redis.conf). Without one, alerts are only on Alertmanager's own page.
 */
import { yamlText } from '../yaml-text';

/** Placeholder the entrypoint replaces with the webhook URL (a valid URL, so `amtool check-config` accepts the file). */
export const WEBHOOK_URL_PLACEHOLDER = 'http://pvestack-webhook-url.invalid/';

export function renderAlertmanagerYml(webhook: boolean): string {
  const doc = {
    route: { receiver: 'team', group_by: ['alertname', 'instance'], group_wait: '30s', group_interval: '5m', repeat_interval: '4h' },
    receivers: [{ name: 'team', ...(webhook ? { webhook_configs: [{ url: WEBHOOK_URL_PLACEHOLDER, send_resolved: true }] } : {}) }],
  };
  return `# Rendered by pvestack; change the environment spec, not this file.\n${yamlText(doc)}`;
}
