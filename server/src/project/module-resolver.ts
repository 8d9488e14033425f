// Finds the file a project import names, as TypeScript and bundlers do for a project's own code:
// relative paths, tsconfig/jsconfig `paths` aliases (`@/lib/db`), and the packages of a monorepo
// (`@acme/db`, found through the root package.json's `workspaces` or pnpm-workspace.yaml). Packages
// from node_modules are not followed: a client library is recognised by its name.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadTypeScript, ts } from '../languages/typescript/project';

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
const INDEXES = EXTENSIONS.map((extension) => `index${extension}`);

interface PathAliases {
  /** Folder the alias targets are relative to. */
  base: string;
  /** `exact`: a pattern without `*` names one module. */
  paths: Array<{ prefix: string; suffix: string; exact: boolean; targets: string[] }>;
}

export class ModuleResolver {
  private readonly resolved = new Map<string, string | null>();
  private readonly aliases = new Map<string, PathAliases | null>();
  /** Monorepo root → its packages by name; folder → its monorepo root ('' for none). */
  private readonly workspaces = new Map<string, Map<string, string>>();
  private readonly rootOf = new Map<string, string>();

  forget(): void {
    jsonFiles.clear();
    this.resolved.clear();
    this.aliases.clear();
    this.workspaces.clear();
    this.rootOf.clear();
  }

  /** The file `specifier` names when imported from `fromFile`, or undefined. */
  resolve(fromFile: string, specifier: string): string | undefined {
    const directory = path.dirname(fromFile);
    const key = `${directory}\u0000${specifier}`;
    if (this.resolved.has(key)) return this.resolved.get(key) ?? undefined;
    let found: string | undefined;
    if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..')
      found = this.file(path.resolve(directory, specifier));
    else {
      found = this.viaAliases(directory, specifier) ?? this.viaWorkspace(directory, specifier);
    }
    this.resolved.set(key, found ?? null);
    return found;
  }

  /** A path without or with an extension, or a folder with an index or a package.json entry. */
  private file(candidate: string): string | undefined {
    if (isFile(candidate)) return candidate;
    // ESM TypeScript imports name the compiled file: './db.js' is './db.ts'.
    const compiled = /\.(m|c)?jsx?$/.exec(candidate);
    if (compiled) {
      const stem = candidate.slice(0, -compiled[0].length);
      for (const extension of ['.ts', '.tsx', '.mts', '.cts']) if (isFile(stem + extension)) return stem + extension;
    }
    for (const extension of EXTENSIONS) if (isFile(candidate + extension)) return candidate + extension;
    if (isDirectory(candidate)) {
      const entry = packageEntry(candidate);
      if (entry) {
        const target = this.file(path.resolve(candidate, entry));
        if (target) return target;
      }
      for (const index of INDEXES) if (isFile(path.join(candidate, index))) return path.join(candidate, index);
    }
    return undefined;
  }

  private viaAliases(directory: string, specifier: string): string | undefined {
    const aliases = this.aliasesFor(directory);
    if (!aliases) return undefined;
    for (const alias of aliases.paths) {
      if (
        alias.exact
          ? specifier !== alias.prefix
          : !specifier.startsWith(alias.prefix) || !specifier.endsWith(alias.suffix) || specifier.length < alias.prefix.length + alias.suffix.length
      )
        continue;
      const star = specifier.slice(alias.prefix.length, specifier.length - alias.suffix.length);
      for (const target of alias.targets) {
        const found = this.file(path.resolve(aliases.base, target.replace('*', star)));
        if (found) return found;
      }
    }
    return undefined;
  }

  /** The `paths` of the nearest tsconfig.json or jsconfig.json, following `extends`. */
  private aliasesFor(directory: string): PathAliases | undefined {
    if (this.aliases.has(directory)) return this.aliases.get(directory) ?? undefined;
    let found: PathAliases | undefined;
    for (const name of ['tsconfig.json', 'jsconfig.json']) {
      const config = path.join(directory, name);
      if (isFile(config)) {
        found = readAliases(config, 0);
        break;
      }
    }
    const parent = path.dirname(directory);
    if (!found && parent !== directory && !fs.existsSync(path.join(directory, '.git'))) found = this.aliasesFor(parent);
    this.aliases.set(directory, found ?? null);
    return found;
  }

  private viaWorkspace(directory: string, specifier: string): string | undefined {
    const packages = this.packagesAround(directory);
    const parts = specifier.split('/');
    const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
    const root = packages.get(name);
    if (!root) return undefined;
    const subpath = specifier.slice(name.length).replace(/^\//, '');
    if (!subpath) return this.file(root);
    const exported = exportsEntry(root, `./${subpath}`);
    return (exported && this.file(path.resolve(root, exported))) ?? this.file(path.join(root, subpath)) ?? this.file(path.join(root, 'src', subpath));
  }

  /** Package name → folder, for the monorepo that holds `directory` (read once per monorepo). */
  private packagesAround(directory: string): Map<string, string> {
    const root = this.monorepoRoot(directory);
    let packages = this.workspaces.get(root);
    if (!packages) {
      packages = new Map();
      for (const pattern of (root && workspacePatterns(root)) || []) {
        for (const folder of expandWorkspacePattern(root, pattern)) {
          const name = packageName(folder);
          if (name && !packages.has(name)) packages.set(name, folder);
        }
      }
      this.workspaces.set(root, packages);
    }
    return packages;
  }

  private monorepoRoot(directory: string): string {
    const known = this.rootOf.get(directory);
    if (known !== undefined) return known;
    const parent = path.dirname(directory);
    const root = workspacePatterns(directory) ? directory : parent === directory ? '' : this.monorepoRoot(parent);
    this.rootOf.set(directory, root);
    return root;
  }
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function isDirectory(folder: string): boolean {
  try {
    return fs.statSync(folder).isDirectory();
  } catch {
    return false;
  }
}

// package.json files are read many times while resolving (entries, exports, names): once is enough
// until the project changes (ModuleResolver.forget).
const jsonFiles = new Map<string, Record<string, unknown> | undefined>();

function readJson(file: string): Record<string, unknown> | undefined {
  if (jsonFiles.has(file)) return jsonFiles.get(file);
  let value: Record<string, unknown> | undefined;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    value = undefined;
  }
  jsonFiles.set(file, value);
  return value;
}

function packageName(folder: string): string | undefined {
  const name = readJson(path.join(folder, 'package.json'))?.name;
  return typeof name === 'string' ? name : undefined;
}

/** The file a package folder's package.json points at: exports["."], module, main, types. */
function packageEntry(folder: string): string | undefined {
  const manifest = readJson(path.join(folder, 'package.json'));
  if (!manifest) return undefined;
  return exportsEntry(folder, '.') ?? ['types', 'module', 'main'].map((field) => manifest[field]).find((value): value is string => typeof value === 'string');
}

function exportsEntry(folder: string, subpath: string): string | undefined {
  const exported = readJson(path.join(folder, 'package.json'))?.exports;
  if (!exported) return undefined;
  const entry = typeof exported === 'string' ? (subpath === '.' ? exported : undefined) : (exported as Record<string, unknown>)[subpath];
  return conditionTarget(entry);
}

function conditionTarget(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (!entry || typeof entry !== 'object') return undefined;
  for (const condition of ['types', 'import', 'module', 'default', 'require', 'node']) {
    const target = conditionTarget((entry as Record<string, unknown>)[condition]);
    if (target) return target;
  }
  return undefined;
}

function workspacePatterns(folder: string): string[] | undefined {
  const manifest = readJson(path.join(folder, 'package.json'));
  const workspaces = manifest?.workspaces;
  if (Array.isArray(workspaces)) return workspaces.filter((entry): entry is string => typeof entry === 'string');
  if (workspaces && typeof workspaces === 'object' && Array.isArray((workspaces as { packages?: unknown }).packages))
    return (workspaces as { packages: unknown[] }).packages.filter((entry): entry is string => typeof entry === 'string');
  try {
    const yaml = fs.readFileSync(path.join(folder, 'pnpm-workspace.yaml'), 'utf8');
    return [...yaml.matchAll(/^\s*-\s*['"]?([^'"\n#]+?)['"]?\s*$/gm)].map((match) => match[1]);
  } catch {
    return undefined;
  }
}

// Workspace patterns are folder globs such as `packages/*`, `apps/**` or `tools/cli`.
function expandWorkspacePattern(root: string, pattern: string): string[] {
  if (pattern.startsWith('!')) return [];
  const parts = pattern.split('/').filter(Boolean);
  let folders = [root];
  for (const part of parts) {
    const next: string[] = [];
    for (const folder of folders) {
      if (part === '*' || part === '**') {
        for (const child of listFolders(folder)) {
          next.push(child);
          if (part === '**') for (const grandchild of listFolders(child)) next.push(grandchild);
        }
      } else next.push(path.join(folder, part));
    }
    folders = next;
  }
  return folders.filter((folder) => isFile(path.join(folder, 'package.json')));
}

function listFolders(folder: string): string[] {
  try {
    return fs
      .readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.'))
      .map((entry) => path.join(folder, entry.name));
  } catch {
    return [];
  }
}

/** A tsconfig's path aliases, with its `extends` chain (relative files only). */
function readAliases(configFile: string, depth: number): PathAliases | undefined {
  loadTypeScript();
  let config: Record<string, unknown> | undefined;
  try {
    // tsconfig files have comments and trailing commas: the compiler's own reader takes them.
    config = ts.parseConfigFileTextToJson(configFile, fs.readFileSync(configFile, 'utf8')).config as Record<string, unknown> | undefined;
  } catch {
    return undefined;
  }
  if (!config) return undefined;
  const folder = path.dirname(configFile);
  let inherited: PathAliases | undefined;
  const extended = typeof config.extends === 'string' ? [config.extends] : Array.isArray(config.extends) ? config.extends : [];
  for (const parent of extended) {
    if (depth < 4 && typeof parent === 'string' && parent.startsWith('.')) {
      const parentFile = path.resolve(folder, parent.endsWith('.json') ? parent : `${parent}.json`);
      inherited = readAliases(parentFile, depth + 1) ?? inherited;
    }
  }
  const options = (config.compilerOptions ?? {}) as { baseUrl?: unknown; paths?: unknown };
  if (!options.paths || typeof options.paths !== 'object') {
    if (inherited && typeof options.baseUrl === 'string') return { ...inherited, base: path.resolve(folder, options.baseUrl) };
    return inherited;
  }
  const base = typeof options.baseUrl === 'string' ? path.resolve(folder, options.baseUrl) : folder;
  const paths = Object.entries(options.paths as Record<string, unknown>).map(([pattern, targets]) => {
    const star = pattern.indexOf('*');
    return {
      prefix: star < 0 ? pattern : pattern.slice(0, star),
      suffix: star < 0 ? '' : pattern.slice(star + 1),
      exact: star < 0,
      targets: (Array.isArray(targets) ? targets : []).filter((target): target is string => typeof target === 'string'),
    };
  });
  // Longer prefixes first, as TypeScript picks the most specific pattern.
  paths.sort((left, right) => right.prefix.length - left.prefix.length);
  return { base, paths };
}
