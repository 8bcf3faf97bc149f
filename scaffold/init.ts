/**
 * `pvestack init`: decides the file, renders the scaffold in the chosen format, writes it, and
 * loads it back through the normal loader and checks, so what it reports is what `check` says.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../model';
import { renderTypeScript, renderYaml, toPlain } from './document';
import { scaffoldEnvironment, scaffoldProblems, type ScaffoldOptions } from './environment';

export type ScaffoldFormat = 'yaml' | 'ts';

export interface InitRequest extends ScaffoldOptions {
  readonly format: ScaffoldFormat;
  /** @default `envs/<name>.yaml` or `envs/<name>.ts` under the working directory */
  readonly file?: string;
  /** Replace an existing file. */
  readonly force?: boolean;
}

/** The directory of the pvestack package itself (sources or compiled, it holds package.json). */
export function pvestackRoot(): string {
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'pvestack') return dir;
  }
  throw new Error(`no pvestack package.json above ${__dirname}`);
}

/** Inside this repository a spec imports the model by path; anywhere else from the `pvestack` package. */
export function importSpecifier(file: string, root = pvestackRoot()): string {
  const real = (p: string) => (fs.existsSync(p) ? fs.realpathSync(p) : path.resolve(p));
  const dir = real(path.dirname(path.resolve(file)));
  const rel = path.relative(real(root), dir);
  if (rel.startsWith('..') || path.isAbsolute(rel) || rel.split(path.sep).includes('node_modules')) return 'pvestack';
  const spec = path
    .relative(dir, path.join(real(root), 'model'))
    .split(path.sep)
    .join('/');
  return spec.startsWith('.') ? spec : `./${spec}`;
}

/**
 * Where an editor finds the spec's JSON Schema from `file`: this repository's schema/ inside it,
 * else the installed package's (`node_modules/pvestack/schema/...`, looked up from the file's
 * directory upwards, as Node resolves packages), else the running pvestack's.
 */
export function schemaReference(file: string, root = pvestackRoot()): string {
  const dir = path.dirname(path.resolve(file));
  const posix = (p: string) => p.split(path.sep).join('/');
  if (importSpecifier(file, root) !== 'pvestack') return posix(path.relative(dir, path.join(root, 'schema', 'environment.schema.json')));
  for (let d = dir; ; d = path.dirname(d)) {
    const candidate = path.join(d, 'node_modules', 'pvestack', 'schema', 'environment.schema.json');
    if (fs.existsSync(candidate)) return posix(path.relative(dir, candidate));
    // Not installed near the file: the schema of the pvestack that runs now.
    if (path.dirname(d) === d) return posix(path.relative(dir, path.join(root, 'schema', 'environment.schema.json')));
  }
}

const HEADER = (name: string, file: string) => [
  `Environment "${name}", written by \`pvestack init\`. Next steps:`,
  `  pvestack check ${file}                 preflight checks, with file:line and a hint for every finding`,
  `  pvestack synth ${file}                 Terraform JSON and rendered files in cdktf.out/stacks/${name}/`,
  `  pvestack deploy ${file} --dry-run      what a deploy would run and ship`,
  'Every field: docs/spec-reference.md in pvestack; whole architectures: docs/examples/.',
];

/** The file's text for a request (pure), and the plain spec it holds. */
export function renderScaffold(
  req: InitRequest,
  importFrom = 'pvestack',
  file = `envs/${req.name}.${req.format}`,
  schema?: string,
): { text: string; spec: unknown } {
  const problems = scaffoldProblems(req);
  if (problems.length) throw new UsageError(problems.join('; '), 'See pvestack init --help.');
  const doc = scaffoldEnvironment(req);
  const header = HEADER(req.name, file.split(path.sep).join('/'));
  // The modeline lets an editor with the YAML language server complete and check every field.
  const yamlHeader = schema ? [`yaml-language-server: $schema=${schema}`, ...header] : header;
  return { text: req.format === 'yaml' ? renderYaml(doc, yamlHeader) : renderTypeScript(doc, header, importFrom), spec: toPlain(doc) };
}

/** Writes the scaffold and returns the file written (relative to the working directory). */
export function writeScaffold(req: InitRequest): string {
  const file = req.file ?? path.join('envs', `${req.name}.${req.format}`);
  const ext = path.extname(file);
  if (req.format === 'yaml' ? !['.yaml', '.yml'].includes(ext) : ext !== '.ts')
    throw new UsageError(`--file ${file} does not end in ${req.format === 'yaml' ? '.yaml' : '.ts'}`, 'Name the file after its format, or change --format.');
  if (fs.existsSync(file) && !req.force) throw new UsageError(`${file} exists already`, 'Pick another --file or name, or pass --force to replace it.');
  const { text } = renderScaffold(req, importSpecifier(file), file, schemaReference(file));
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}
