import { describe, expect, it } from 'vitest';
import { parseHostState, type StackState } from '../../deploy/host-state';
import { planHost, planStack, type Step } from '../../deploy/plan';
import { stackRelease } from '../../deploy/release';
import { webStack } from './fixtures';

const KEY = 'f'.repeat(64);
const release = stackRelease(webStack('app', { image: 'img:1', statefulClient: true }), new Map([['api-token', 'a-long-token-value']]), KEY);
const fp = Object.fromEntries(release.services.map((s) => [s.name, s.fingerprint]));
const running = (service: string, fingerprint = fp[service]!, over: Partial<StackState['containers'][number]> = {}) => ({
  service,
  state: 'running',
  exitCode: 0,
  health: 'healthy',
  fingerprint,
  ...over,
});
const state = (over: Partial<StackState> = {}): StackState => ({
  stack: 'app',
  current: release.id,
  releases: [release.id],
  partials: [],
  containers: [running('web'), running('client')],
  ...over,
});
/** `health` starts the whole project then waits; `health(wait)` only waits. */
const kinds = (steps: readonly Step[]) =>
  steps.map((s) =>
    s.kind === 'recreate' ? `recreate:${s.service.name}` : s.kind === 'upload' ? `upload${s.upload ? '' : '(reuse)'}` : s.start ? 'health' : 'health(wait)',
  );

describe('release plan (pure): what runs versus the release', () => {
  it.each([
    ['verified running as released', state(), 'unchanged', []],
    [
      'a container stopped by hand',
      state({ containers: [running('web', undefined, { state: 'exited', exitCode: 137, health: 'unhealthy' }), running('client')] }),
      'repair',
      ['recreate:web', 'health(wait)'],
    ],
    ['a container removed by hand', state({ containers: [running('client')] }), 'repair', ['recreate:web', 'health(wait)']],
    [
      'unhealthy',
      state({ containers: [running('web'), running('client', undefined, { health: 'unhealthy' })] }),
      'repair',
      ['recreate:client', 'health(wait)'],
    ],
    ['a first deploy', state({ current: undefined, releases: [], containers: [] }), 'deploy', ['upload', 'health']],
    ['everything removed by hand', state({ containers: [] }), 'repair', ['health']],
    [
      'a new release of web',
      state({ current: 'OLD', releases: ['OLD'], containers: [running('web', 'old-fp'), running('client')] }),
      'deploy',
      ['upload', 'recreate:web', 'health(wait)'],
    ],
    [
      'containers from a deploy without labels',
      state({ current: 'OLD', releases: ['OLD'], containers: [running('web', ''), running('client', '')] }),
      'deploy',
      ['upload', 'recreate:web', 'recreate:client', 'health(wait)'],
    ],
    [
      'the release is on the host already (rolled back earlier)',
      state({ current: 'OLD', releases: ['OLD', release.id], containers: [running('web', 'old-fp'), running('client')] }),
      'deploy',
      ['upload(reuse)', 'recreate:web', 'health(wait)'],
    ],
    ['an orphan service', state({ containers: [running('web'), running('client'), running('gone', 'x')] }), 'repair', ['health']],
  ])('%s', (_name, s, action, steps) => {
    const plan = planStack(release, s, []);
    expect(plan.action).toBe(action);
    expect(kinds(plan.steps)).toEqual(steps);
  });

  it('asks before restarting a stateful service whose running definition differs, not one stopped by hand', () => {
    expect(
      planStack(release, state({ current: 'OLD', releases: ['OLD'], containers: [running('web'), running('client', 'old')] }), []).statefulChanged,
    ).toEqual(['client']);
    expect(
      planStack(release, state({ containers: [running('web'), running('client', undefined, { state: 'exited', exitCode: 0, health: 'unhealthy' })] }), [])
        .statefulChanged,
    ).toEqual([]);
  });

  it('after an interrupted deploy, rolls back to the release the journal names, not to the half-switched current', () => {
    const journal = [
      { step: 'lock', at: 1 },
      { step: 'switch', stack: 'app', release: release.id, previous: 'GOOD', at: 2 },
      { step: 'recreate:web', stack: 'app', at: 3 },
    ];
    const plan = planStack(release, state({ containers: [running('web'), running('client', 'old')] }), journal);
    expect(plan.rollbackTo).toBe('GOOD');
    expect(kinds(plan.steps)).toEqual(['recreate:client', 'health(wait)']);
  });

  it('parses the probe output into the host state', () => {
    const host = parseHostState(
      [
        `key ${KEY}`,
        'now 1700000100',
        'compose v1',
        'lock 1700000000 {"run":"ab12","owner":"ci","pid":42,"machine":"runner"}',
        'journal {"step":"lock","at":1700000001}',
        'journal not json',
        'stack app',
        'current 0123abcd',
        'release 0123abcd',
        'release 4567.partial',
        'container web running 0 healthy f1',
        'container client exited 137 none <no value>',
        'stack other',
      ].join('\n'),
    );
    expect(host).toMatchObject({
      key: KEY,
      now: 1700000100,
      compose: 'v1',
      lock: { mtime: 1700000000, info: '{"run":"ab12","owner":"ci","pid":42,"machine":"runner"}' },
      journal: [{ step: 'lock', at: 1700000001 }],
    });
    expect(host.stacks).toEqual([
      {
        stack: 'app',
        current: '0123abcd',
        releases: ['0123abcd'],
        partials: ['4567.partial'],
        containers: [
          { service: 'web', state: 'running', exitCode: 0, health: 'healthy', fingerprint: 'f1' },
          { service: 'client', state: 'exited', exitCode: 137, health: 'none', fingerprint: '' },
        ],
      },
      { stack: 'other', releases: [], partials: [], containers: [] },
    ]);
    const plan = planHost([release], host);
    expect(plan.flavor).toBe('v1');
    expect(plan.interrupted).toEqual({ step: 'lock', at: 1700000001 });
    expect(plan.stacks[0]!.leftovers).toEqual(['4567.partial']);
  });
});
