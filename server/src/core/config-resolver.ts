// Which armadilha.config.json governs a file, for the editor and the CLI alike: the nearest one in the
// file's folder or above it, up to the repository root (the folder holding .git) or the file-system
// root. A configuration may `extends` others (paths relative to it, or a package's file); their
// settings apply first and its own on top. Each file is read and validated once (until forget());
// its problems are kept with it, to be shown on the file, and the valid parts stay in force.

import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { CONFIG_FILE_NAME, mergePartialSettings, parseConfigText, type ConfigProblem, type PartialSettings } from './config';
import type { Rule } from './rule';

/** One configuration file as read from disk. */
export interface ConfigFile {
  /** Absolute path. */
  file: string;
  text: string;
  /** Its own valid settings (without what it extends). */
  settings: PartialSettings;
  /** Problems of this file, including those of its `extends` entries. */
  problems: ConfigProblem[];
  /** The files it extends, resolved (absolute paths), in order. */
  extends: string[];
}

/** The configuration in force for a file. */
export interface ResolvedConfig {
  /** The nearest armadilha.config.json (absolute path). */
  file: string;
  /** Its folder: sql.dialect globs are relative to it. */
  base: string;
  /** Settings of the whole `extends` chain, the nearest file's own on top. */
  settings: PartialSettings;
  /** Every file read for it, the nearest first. */
  files: ConfigFile[];
}

/** Longest `extends` chain followed; a longer one is reported as a cycle would be. */
const MAX_EXTENDS_DEPTH = 10;

export class ConfigResolver {
  private readonly files = new Map<string, ConfigFile | null>();
  private readonly nearest = new Map<string, string | null>();
  private readonly resolved = new Map<string, ResolvedConfig>();

  /** `onRead` is told about every file read (the server logs them). */
  constructor(
    private readonly rules: readonly Rule[],
    private readonly onRead: (file: ConfigFile) => void = () => undefined,
  ) {}

  /** The configuration governing a file (absolute path), or undefined when none is found. */
  configFor(file: string): ResolvedConfig | undefined {
    const config = this.nearestConfig(path.dirname(path.resolve(file)));
    return config ? this.resolve(config) : undefined;
  }

  /** The configuration of an explicitly named file (the CLI's --config), or undefined when it cannot be read. */
  configFile(file: string): ResolvedConfig | undefined {
    const absolute = path.resolve(file);
    return this.read(absolute) ? this.resolve(absolute) : undefined;
  }

  /** Every configuration file read so far (to show their problems). */
  loaded(): ConfigFile[] {
    return [...this.files.values()].filter((file): file is ConfigFile => !!file);
  }

  /** Forgets everything read: files changed on disk. */
  forget(): void {
    this.files.clear();
    this.nearest.clear();
    this.resolved.clear();
  }

  private nearestConfig(directory: string): string | undefined {
    const visited: string[] = [];
    let found: string | null = null;
    for (let current = directory; ; current = path.dirname(current)) {
      const known = this.nearest.get(current);
      if (known !== undefined) {
        found = known;
        break;
      }
      visited.push(current);
      const candidate = path.join(current, CONFIG_FILE_NAME);
      if (this.read(candidate)) {
        found = candidate;
        break;
      }
      if (isRepositoryRoot(current) || path.dirname(current) === current) break;
    }
    for (const folder of visited) this.nearest.set(folder, found);
    return found ?? undefined;
  }

  private resolve(file: string): ResolvedConfig {
    const cached = this.resolved.get(file);
    if (cached) return cached;
    const own = this.read(file)!;
    const chain: ConfigFile[] = [];
    const settings = this.chainSettings(own, [], chain);
    const resolved: ResolvedConfig = { file, base: path.dirname(file), settings, files: chain };
    this.resolved.set(file, resolved);
    return resolved;
  }

  /** Settings of a file with what it extends applied first; `chain` collects the files, nearest first. */
  private chainSettings(config: ConfigFile, ancestors: string[], chain: ConfigFile[]): PartialSettings {
    if (!chain.includes(config)) chain.push(config);
    let settings: PartialSettings = {};
    for (const parent of config.extends) {
      if (ancestors.includes(parent) || parent === config.file || ancestors.length >= MAX_EXTENDS_DEPTH) continue; // reported when the file was read
      const parentConfig = this.read(parent);
      if (parentConfig) settings = mergePartialSettings(settings, this.chainSettings(parentConfig, [...ancestors, config.file], chain));
    }
    return mergePartialSettings(settings, config.settings);
  }

  private read(file: string): ConfigFile | undefined {
    const known = this.files.get(file);
    if (known !== undefined) return known ?? undefined;
    let text: string;
    try {
      if (!fs.statSync(file).isFile()) throw new Error('not a file');
      text = fs.readFileSync(file, 'utf8');
    } catch {
      this.files.set(file, null);
      return undefined;
    }
    const parsed = parseConfigText(text, this.rules);
    const config: ConfigFile = { file, text, settings: parsed.settings, problems: parsed.problems, extends: [] };
    // Set before following `extends`, so that a cycle ends here.
    this.files.set(file, config);
    for (const entry of parsed.extendsEntries) {
      const target = resolveExtends(file, entry.value);
      const where = { start: entry.start, end: entry.end };
      if (!target || !this.read(target)) config.problems.push({ key: 'configExtendsMissing', data: { path: entry.value }, ...where });
      else if (target === file || this.reaches(target, file, 0)) config.problems.push({ key: 'configExtendsCycle', data: { path: entry.value }, ...where });
      else config.extends.push(target);
    }
    this.onRead(config);
    return config;
  }

  /** Whether `from`'s extends chain leads back to `file`. */
  private reaches(from: string, file: string, depth: number): boolean {
    if (depth > MAX_EXTENDS_DEPTH) return true;
    const config = this.files.get(from);
    if (!config) return false;
    return config.extends.some((next) => next === file || this.reaches(next, file, depth + 1));
  }
}

/**
 * Where an `extends` entry points: a path relative to the configuration file ("../armadilha.base.json"),
 * or a package ("@acme/armadilha-config", its armadilha.config.json; or "@acme/config/armadilha.json").
 */
function resolveExtends(configFile: string, entry: string): string | undefined {
  if (entry.startsWith('.') || path.isAbsolute(entry)) return path.resolve(path.dirname(configFile), entry);
  const require = createRequire(configFile);
  for (const candidate of entry.endsWith('.json') ? [entry] : [`${entry}/${CONFIG_FILE_NAME}`, entry]) {
    try {
      return require.resolve(candidate);
    } catch {
      // try the next form
    }
  }
  return undefined;
}

function isRepositoryRoot(directory: string): boolean {
  return fs.existsSync(path.join(directory, '.git'));
}
