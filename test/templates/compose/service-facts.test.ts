/**
 * The typed facts `pvestack diff` compares are exactly what the compose files hold: for every
 * registered environment, every rendered stack's facts equal its compose file read back by a YAML
 * parser (here, in a test, to prove the equivalence; the diff itself never parses the YAML).
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { RenderedStack } from '../../../templates/artifacts';
import { renderCompose } from '../../../templates/compose/render-compose';
import { serviceFacts } from '../../../templates/compose/service-facts';
import { renderEnvironment } from '../../../templates/render';
import { environmentNames, loadEnvironment } from '../../../stacks/registry';

interface ComposeDoc {
  services: Record<string, { image: string; environment?: Record<string, string>; healthcheck?: Record<string, unknown> }>;
}

/** A stack whose values compose would interpolate: `$` must come out as the file holds it (`$$`). */
function dollarStack(): RenderedStack {
  const compose = renderCompose({
    services: [
      { name: 'app', image: 'app:1', env: { PRICE: '$5', HOME: '/srv' }, healthcheck: { test: ['CMD-SHELL', 'test "$HOME" = /srv'], retries: 2 } },
      { name: 'job', image: 'job:1' },
    ],
  });
  return {
    name: 'app',
    composeFile: 'compose.yaml',
    guest: 'g',
    files: [{ path: 'compose.yaml', content: compose.text }],
    secretFiles: [],
    services: compose.services,
  };
}

const cases = [
  ...environmentNames().flatMap((name) =>
    [...renderEnvironment(loadEnvironment(name))].flatMap(([guest, stacks]) => stacks.map((stack) => [`${name}/${guest}/${stack.name}`, stack] as const)),
  ),
  ['values with $ (hand-built)', dollarStack()] as const,
];

describe('serviceFacts', () => {
  it('covers stacks with environment values and healthchecks', () => {
    const all = cases.flatMap(([, s]) => Object.values(serviceFacts(s)));
    expect(all.some((f) => Object.keys(f.environment).length > 0)).toBe(true);
    expect(all.some((f) => f.healthcheck !== undefined)).toBe(true);
  });

  it('keeps `$` as the compose file does', () => {
    expect(serviceFacts(dollarStack()).app!.environment).toEqual({ HOME: '/srv', PRICE: '$$5' });
  });

  it.each(cases)('%s: the facts are what its compose file holds', (_, stack) => {
    const doc = parse(stack.files.find((f) => f.path === stack.composeFile)!.content) as ComposeDoc;
    const fromYaml = Object.fromEntries(
      Object.entries(doc.services).map(([name, s]) => [
        name,
        { image: s.image, environment: s.environment ?? {}, ...(s.healthcheck ? { healthcheck: s.healthcheck } : {}) },
      ]),
    );
    expect(serviceFacts(stack)).toEqual(fromYaml);
  });
});
