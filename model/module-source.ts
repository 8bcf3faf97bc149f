/**
 * The source files of a spec module as TypeScript syntax trees, and the static resolution of the
 * expressions a spec is built from: a `const` followed to its initializer, an import followed to
 * the relative file that exports it. Resolution only ever answers with an expression that is
 * certainly the one the value was built from; anything it cannot follow (a `let`, a parameter, a
 * package import, a call) is left unresolved, so the caller stops there instead of guessing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as TS from 'typescript';

/** The TypeScript compiler API, loaded only when a location is asked for (it takes ~0.2 s). */
export function loadTypescript(near: string): typeof TS | undefined {
  for (const from of [__dirname, near]) {
    try {
      return require(require.resolve('typescript', { paths: [from] })) as typeof TS;
    } catch {
      // Not installed there (it is a dev dependency of pvestack): try the spec's own project.
    }
  }
  return undefined;
}

/** An expression and the file it is written in. */
export interface Written {
  readonly node: TS.Node;
  readonly file: TS.SourceFile;
}

/** Why resolution stopped: the expression that produced the value, which cannot be followed. */
export interface Unresolved extends Written {
  readonly resolved: false;
}

/** Files that a relative import may name, in the order Node and tsx try them. */
const CANDIDATE_SUFFIXES = ['', '.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '/index.ts', '/index.js'];

/** Parses spec modules once each and follows names to what they were defined as. */
export class ModuleSources {
  private readonly files = new Map<string, TS.SourceFile | null>();
  constructor(readonly ts: typeof TS) {}

  /** The syntax tree of a file, or undefined when it cannot be read. */
  file(abs: string): TS.SourceFile | undefined {
    if (!this.files.has(abs)) {
      let text: string | undefined;
      try {
        text = fs.readFileSync(abs, 'utf8');
      } catch {
        text = undefined;
      }
      const kind = /\.[cm]?js$/.test(abs) ? this.ts.ScriptKind.JS : this.ts.ScriptKind.TS;
      this.files.set(abs, text === undefined ? null : this.ts.createSourceFile(abs, text, this.ts.ScriptTarget.Latest, true, kind));
    }
    return this.files.get(abs) ?? undefined;
  }

  /** Strips what does not change a value: parentheses, `as`, `satisfies`, `!` and `defineEnvironment(...)`. */
  unwrap(node: TS.Node): TS.Node {
    const ts = this.ts;
    for (;;) {
      if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isNonNullExpression(node)) {
        node = node.expression;
      } else if (ts.isTypeAssertionExpression(node)) {
        node = node.expression;
      } else if (
        // defineEnvironment is the identity (model/define.ts): its argument is the spec.
        ts.isCallExpression(node) &&
        node.arguments.length === 1 &&
        calleeName(ts, node.expression) === 'defineEnvironment'
      ) {
        node = node.arguments[0]!;
      } else return node;
    }
  }

  /**
   * Follows `node` through `const` names, imports and property accesses to the expression that
   * built its value (an object or array literal, a call, a literal...). Returns the last expression
   * reached and whether it was followed to the end.
   */
  resolve(written: Written, depth = 0): Written & { resolved: boolean } {
    const ts = this.ts;
    const node = this.unwrap(written.node);
    const here = { node, file: written.file };
    if (depth > 20) return { ...here, resolved: false };
    if (ts.isIdentifier(node)) {
      const target = this.binding(node.text, written.file, depth);
      return target ? this.resolve(target, depth + 1) : { ...here, resolved: false };
    }
    if (ts.isPropertyAccessExpression(node) || (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression))) {
      const key = ts.isPropertyAccessExpression(node) ? node.name.text : (node.argumentExpression as TS.StringLiteralLike).text;
      const namespace = ts.isIdentifier(node.expression) ? this.namespaceImport(node.expression.text, written.file) : undefined;
      if (namespace) {
        const target = this.exported(namespace, key, depth);
        return target ? this.resolve(target, depth + 1) : { ...here, resolved: false };
      }
      const owner = this.resolve({ node: node.expression, file: written.file }, depth + 1);
      if (owner.resolved && ts.isObjectLiteralExpression(owner.node)) {
        const prop = this.ownProperty(owner.node, key);
        if (prop) return this.resolve({ node: prop, file: owner.file }, depth + 1);
      }
      return { ...here, resolved: false };
    }
    return { ...here, resolved: true };
  }

  /**
   * The initializer of a property written in the literal itself with no spread after it (a spread
   * could override it), or undefined.
   */
  private ownProperty(obj: TS.ObjectLiteralExpression, key: string): TS.Expression | undefined {
    const ts = this.ts;
    for (let i = obj.properties.length - 1; i >= 0; i--) {
      const p = obj.properties[i]!;
      if (ts.isSpreadAssignment(p)) return undefined;
      if (propertyName(ts, p) !== key) continue;
      if (ts.isPropertyAssignment(p)) return p.initializer;
      if (ts.isShorthandPropertyAssignment(p)) return p.name;
      return undefined;
    }
    return undefined;
  }

  /** What a top-level name of `file` stands for: a `const` initializer or an imported export. */
  private binding(name: string, file: TS.SourceFile, depth: number): Written | undefined {
    const ts = this.ts;
    for (const statement of file.statements) {
      if (ts.isVariableStatement(statement)) {
        // Only const: a let or var may have been reassigned before the spec was exported.
        if (!(statement.declarationList.flags & ts.NodeFlags.Const)) continue;
        for (const d of statement.declarationList.declarations) {
          if (ts.isIdentifier(d.name) && d.name.text === name) return d.initializer ? { node: d.initializer, file } : undefined;
        }
      } else if (ts.isImportDeclaration(statement) && statement.importClause && !statement.importClause.isTypeOnly) {
        const clause = statement.importClause;
        const from = this.importedFile(statement, file);
        if (clause.name?.text === name) return from ? this.exported(from, 'default', depth) : undefined;
        const bindings = clause.namedBindings;
        if (bindings && ts.isNamedImports(bindings)) {
          const spec = bindings.elements.find((e) => e.name.text === name);
          if (spec) return from ? this.exported(from, (spec.propertyName ?? spec.name).text, depth) : undefined;
        }
      }
    }
    return undefined;
  }

  /** The file of `import * as name from './x'`, when `name` is such a namespace. */
  private namespaceImport(name: string, file: TS.SourceFile): TS.SourceFile | undefined {
    const ts = this.ts;
    for (const statement of file.statements) {
      if (!ts.isImportDeclaration(statement)) continue;
      const bindings = statement.importClause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings) && bindings.name.text === name) return this.importedFile(statement, file);
    }
    return undefined;
  }

  /** The relative file an import names; packages (`'pvestack'`, `'@team/x'`) are not followed. */
  importedFile(statement: TS.ImportDeclaration | TS.ExportDeclaration, file: TS.SourceFile): TS.SourceFile | undefined {
    const spec = statement.moduleSpecifier;
    if (!spec || !this.ts.isStringLiteral(spec) || !/^\.\.?(\/|$)/.test(spec.text)) return undefined;
    const base = path.resolve(path.dirname(file.fileName), spec.text);
    // tsx lets `./x.js` name `./x.ts`, as TypeScript's own resolution does.
    const bases = /\.[cm]?js$/.test(base) ? [base, base.replace(/js$/, 'ts')] : [base];
    for (const b of bases) {
      for (const suffix of CANDIDATE_SUFFIXES) {
        const candidate = b + suffix;
        if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return this.file(candidate);
      }
    }
    return undefined;
  }

  /** The expression `file` exports as `name` (`export const`, `export { a as name }`, `export default`, a re-export). */
  exported(file: TS.SourceFile, name: string, depth = 0): Written | undefined {
    const ts = this.ts;
    if (depth > 20) return undefined;
    for (const statement of file.statements) {
      if (name === 'default' && ts.isExportAssignment(statement) && !statement.isExportEquals) return { node: statement.expression, file };
      if (ts.isVariableStatement(statement) && statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
        if (!(statement.declarationList.flags & ts.NodeFlags.Const)) continue;
        for (const d of statement.declarationList.declarations) {
          if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer) return { node: d.initializer, file };
        }
      }
      if (ts.isExportDeclaration(statement) && !statement.isTypeOnly && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
        const spec = statement.exportClause.elements.find((e) => e.name.text === name);
        if (!spec) continue;
        const local = (spec.propertyName ?? spec.name).text;
        if (statement.moduleSpecifier) {
          const from = this.importedFile(statement, file);
          return from ? this.exported(from, local, depth + 1) : undefined;
        }
        return this.binding(local, file, depth + 1);
      }
    }
    return undefined;
  }
}

/** The name of a property as written (`a`, `'a'`, `["a"]`, `1`), or undefined when computed. */
export function propertyName(ts: typeof TS, p: TS.ObjectLiteralElementLike): string | undefined {
  const name = p.name;
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isStringLiteralLike(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isComputedPropertyName(name) && (ts.isStringLiteralLike(name.expression) || ts.isNumericLiteral(name.expression))) return name.expression.text;
  return undefined;
}

/** `vm` for `vm(...)`, `map` for `xs.map(...)`, undefined for other callees. */
export function calleeName(ts: typeof TS, callee: TS.Expression): string | undefined {
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
}
