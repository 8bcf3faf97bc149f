/**
 * Shapes of the application stacks a guest runs, selected by `kind`. Each shape's `kind` lists the
 * kinds it serves; `tagged` has already matched it, so that check never fails at runtime: it types
 * the result and the JSON Schema.
 */
import { TIME_OF_DAY, WEEKDAYS } from '../backup-schedule';
import { arr, at, bool, Check, described, int, num, obj, oneOf, optional, record, required, str, tagged, refine, fail } from './schema';

const SECRET_NAME = /^[a-z][a-z0-9_-]*$/;
/** A reference to a declared secret; a value that is not a name may be the secret itself, so it is never echoed. */
export const secretRef = () => str({ pattern: SECRET_NAME, patternHint: 'Name a secret declared under secrets (lowercase), never a value.', redact: true });

/** Images must be pinned: a tag other than `latest`, or a digest, so deploys are repeatable. */
export const pinnedImage = (): Check<string> =>
  refine(
    str({ minLength: 1 }),
    (v, path, ctx) => {
      if (/@sha256:[0-9a-f]{64}$/.test(v)) return;
      const lastSegment = v.split('/').pop() ?? v;
      const tag = lastSegment.includes(':') ? lastSegment.split(':').pop() : undefined;
      if (!tag) fail(ctx, path, 'is not pinned to a version', `Add a tag, e.g. ${v}:1.2.3, or a digest (@sha256:...).`, v);
      else if (tag === 'latest') fail(ctx, path, 'uses the moving tag "latest"', 'Pin a version tag or a digest so every deploy runs the same image.', v);
    },
    { pattern: '@sha256:[0-9a-f]{64}$|^([^/]*/)*[^/:]*:([^/:]*:)*(?!latest$)[^/:]+$' },
  );

const port = () => int({ min: 1, max: 65535 });
const env = () => record(str(), str({ pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, patternHint: 'Environment variable names use letters, digits and _.' }));

const vllm = obj(
  {
    kind: required(oneOf(['vllm'] as const)),
    model: required(str({ minLength: 1 })),
    servedModelName: optional(str({ minLength: 1 })),
    image: optional(pinnedImage()),
    dtype: optional(oneOf(['auto', 'bfloat16', 'float16', 'float32'] as const)),
    quantization: optional(oneOf(['awq', 'gptq', 'fp8'] as const)),
    tensorParallelSize: optional(int({ min: 1, max: 64 })),
    gpuMemoryUtilization: required(num({ min: 0.05, max: 0.99, hint: 'Use a fraction such as 0.90 (vLLM needs some headroom per GPU).' })),
    maxModelLen: required(int({ min: 128, unit: 'tokens' })),
    kvCacheDtype: optional(oneOf(['auto', 'fp8'] as const)),
    port: optional(port()),
    apiKeySecret: required(secretRef()),
    hfTokenSecret: optional(secretRef()),
    modelCacheDir: optional(str({ pattern: /^\/\S+$/ })),
    modelFacts: optional(
      obj(
        {
          paramsBillion: required(num({ min: 0.01 })),
          layers: required(int({ min: 1 })),
          attentionHeads: required(int({ min: 1 })),
          kvHeads: required(int({ min: 1 })),
          headDim: required(int({ min: 1 })),
          intermediateSize: optional(int({ min: 1 })),
        },
        'model facts',
      ),
    ),
  },
  'a vllm stack',
);

/**
 * `backup.schedule`: the sidecar's timer reads `at` with `date -d` and the day by its short
 * English name, so only what it can read passes; a `day` on a daily schedule would be silently
 * ignored, so it is refused (in JSON Schema too, through `dependencies`).
 */
const baseBackupSchedule = refine(
  obj(
    {
      every: optional(oneOf(['daily', 'weekly'] as const)),
      at: optional(str({ pattern: TIME_OF_DAY, patternHint: 'Write a UTC time of day as HH:MM (24-hour clock), e.g. "02:30".' })),
      day: optional(oneOf(WEEKDAYS)),
    },
    'a base-backup schedule',
  ),
  (v, path, ctx) => {
    if (v.day !== undefined && v.every !== 'weekly')
      fail(
        ctx,
        at(path, 'day'),
        `applies only to a weekly schedule, and every is ${v.every ?? 'daily (the default)'}`,
        'Set every: weekly, or remove day.',
        v.day,
      );
  },
  { dependencies: { day: { properties: { every: { const: 'weekly' } }, required: ['every'] } } },
);

const postgres = obj(
  {
    kind: required(oneOf(['postgres'] as const)),
    image: optional(pinnedImage()),
    profile: optional(oneOf(['web', 'oltp', 'dw', 'desktop', 'mixed'] as const)),
    maxConnections: optional(int({ min: 5, max: 10000 })),
    storage: optional(oneOf(['ssd', 'hdd', 'san', 'nvme'] as const)),
    database: required(str({ pattern: /^[a-z_][a-z0-9_]{0,62}$/, patternHint: 'Use a lowercase SQL identifier.' })),
    user: optional(str({ pattern: /^[a-z_][a-z0-9_]{0,62}$/, patternHint: 'Use a lowercase SQL identifier.' })),
    passwordSecret: required(secretRef()),
    extensions: optional(
      arr(
        oneOf(
          ['vector', 'pg_trgm', 'uuid-ossp', 'pg_stat_statements', 'btree_gin', 'btree_gist', 'citext', 'hstore', 'pgcrypto'] as const,
          'pgvector is installed as "vector"; the others are contrib extensions.',
        ),
      ),
    ),
    port: optional(port()),
    backup: optional(
      obj(
        {
          mountPoint: required(str({ pattern: /^\/\S+$/ })),
          retentionDays: optional(int({ min: 1, max: 3650 })),
          schedule: optional(baseBackupSchedule),
          verifyQuery: optional(str()),
        },
        'backup settings',
      ),
    ),
  },
  'a postgres stack',
);

const redis = obj(
  {
    kind: required(oneOf(['redis'] as const)),
    image: optional(pinnedImage()),
    passwordSecret: required(secretRef()),
    persistence: optional(oneOf(['aof', 'rdb', 'none'] as const)),
    maxMemoryMib: optional(int({ min: 16 })),
    port: optional(port()),
  },
  'a redis stack',
);

const nextjs = obj(
  {
    kind: required(oneOf(['nextjs'] as const)),
    image: required(pinnedImage()),
    replicas: optional(int({ min: 1, max: 32 })),
    port: optional(port()),
    env: optional(env()),
    secrets: optional(arr(secretRef())),
    healthPath: optional(str({ pattern: /^\/\S*$/ })),
  },
  'a nextjs stack',
);

const nginxProxy = obj(
  {
    kind: required(oneOf(['nginx-proxy'] as const)),
    image: optional(pinnedImage()),
    serverName: required(str({ pattern: /^[a-z0-9.*-]+$/, patternHint: 'Use a DNS name such as app.example.org.' })),
    upstreams: required(arr(str({ minLength: 1 }), { min: 1 })),
    upstreamPort: optional(port()),
    tls: optional(oneOf(['certbot', 'provided', 'none'] as const)),
    rateLimitPerSecond: optional(int({ min: 1, max: 100000 })),
  },
  'an nginx-proxy stack',
);

const worker = obj(
  {
    kind: required(oneOf(['worker'] as const)),
    image: required(pinnedImage()),
    command: optional(arr(str())),
    replicas: optional(int({ min: 1, max: 64 })),
    env: optional(env()),
    secrets: optional(arr(secretRef())),
  },
  'a worker stack',
);

const monitoring = obj(
  {
    kind: required(oneOf(['monitoring'] as const)),
    targets: optional(arr(str({ minLength: 1 }))),
    grafanaAdminSecret: required(secretRef()),
    alerting: optional(obj({ webhookUrlSecret: optional(secretRef()) }, 'alerting settings')),
  },
  'a monitoring stack',
);

const catalog = obj(
  {
    kind: required(oneOf(['open-webui', 'n8n', 'portainer', 'portainer-agent', 'node-exporter', 'cadvisor', 'dcgm-exporter'] as const)),
    image: optional(pinnedImage()),
    port: optional(port()),
    env: optional(env()),
    secrets: optional(arr(secretRef())),
  },
  'a catalogue stack',
);

const service = obj(
  {
    name: required(str({ pattern: /^[a-z][a-z0-9_-]*$/, patternHint: 'Service names are lowercase.' })),
    image: required(pinnedImage()),
    command: optional(arr(str())),
    ports: optional(
      arr(str({ pattern: /^((\d{1,3}\.){3}\d{1,3}:)?\d{1,5}:\d{1,5}(\/(tcp|udp))?$/, patternHint: 'Write [ip:]host:container, e.g. 127.0.0.1:8080:80.' })),
    ),
    env: optional(env()),
    secrets: optional(arr(secretRef())),
    volumes: optional(arr(str({ pattern: /^[^:\s]+:\/[^:\s]*(:(ro|rw))?$/, patternHint: 'Write name:/path or /host/path:/path[:ro].' }))),
    gpus: optional(
      described((value, path, ctx) => (value === 'all' ? 'all' : Array.isArray(value) ? arr(str())(value, path, ctx) : int({ min: 1 })(value, path, ctx)), {
        anyOf: [{ const: 'all' }, { type: 'array', items: { type: 'string' } }, { type: 'integer', minimum: 1 }],
      }),
    ),
    healthcheck: optional(
      obj(
        {
          test: required(arr(str(), { min: 1 })),
          intervalSeconds: optional(int({ min: 1 })),
          timeoutSeconds: optional(int({ min: 1 })),
          retries: optional(int({ min: 1 })),
          startPeriodSeconds: optional(int({ min: 0 })),
        },
        'a healthcheck',
      ),
    ),
    dependsOn: optional(arr(str())),
    restart: optional(oneOf(['no', 'always', 'unless-stopped', 'on-failure'] as const)),
    stateful: optional(bool()),
    memoryLimitMib: optional(int({ min: 6 })),
    cpus: optional(num({ min: 0.01 })),
  },
  'a service',
);

const compose = obj(
  {
    kind: required(oneOf(['compose'] as const)),
    name: required(str({ pattern: /^[a-z][a-z0-9-]*$/, patternHint: 'Stack names are lowercase with hyphens.' })),
    services: required(arr(service, { min: 1 })),
  },
  'a compose stack',
);

export const stackShapes = tagged('kind', {
  vllm,
  postgres,
  redis,
  nextjs,
  'nginx-proxy': nginxProxy,
  worker,
  monitoring,
  'open-webui': catalog,
  n8n: catalog,
  portainer: catalog,
  'portainer-agent': catalog,
  'node-exporter': catalog,
  cadvisor: catalog,
  'dcgm-exporter': catalog,
  compose,
});
