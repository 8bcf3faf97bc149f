/**
 * The benchmark reuses the test harness's real sshd and dockerd (`test/support/sshd.ts`,
 * `dockerd.ts`). Their shared helpers (`test/support/tools.ts`) also define `describeWithTools`,
 * which imports vitest, and vitest refuses to load outside its runner. This stands in for
 * vitest while those modules load, in this process only; nothing in the harness that the bench
 * calls touches it. (Moving `describeWithTools` to its own file would make this unnecessary.)
 */
import Module from 'node:module';

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
const mod = Module as unknown as { _load: Loader };
const original = mod._load;
const stub = { describe: Object.assign(() => undefined, { skip: () => undefined }) };

mod._load = function load(request, parent, isMain) {
  return request === 'vitest' ? stub : original.call(this, request, parent, isMain);
};

export const dockerdSupport = require('../../test/support/dockerd') as typeof import('../../test/support/dockerd');
export const sshdSupport = require('../../test/support/sshd') as typeof import('../../test/support/sshd');
export const toolsSupport = require('../../test/support/tools') as typeof import('../../test/support/tools');

mod._load = original;
