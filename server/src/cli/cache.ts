// The result cache of `check --cache`: per file, the findings of its last analysis and the schema
// facts of its text, kept in a JSON file (default .armadilha-cache in the current folder) with the
// facts beside it (.armadilha-cache.facts). A result is used only when everything it was computed
// from is unchanged:
//   - this build of Armadilha (its version and its bundle: any other build discards the whole cache);
//   - the file's bytes (content hash) and path;
//   - the settings in force, the locale, the current folder and the configuration's folder;
//   - the workspace schema model (a hash of every migration's facts), when the analysis read it;
//   - the project around a TypeScript file (package.json, tsconfig paths, Prisma datasource, the
//     modules it imports): every question the analysis asked the project is asked again and must get
//     the same answer (project/context.ts is the only way the analysis sees the project).
// Analyses that depended on time (a file that used up its time budget) or whose rules failed are not
// kept. Results are identical to an analysis from scratch (test/ci.test.ts checks it).

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Settings } from '../core/config';
import type { Coverage, Finding } from '../core/lint';
import type { TextEncoding } from './check';
import type { Locale } from '../core/locale';
import type { ProjectCall } from './recording-project';
import { SERVER_VERSION } from '../core/version';

export { cacheFilePath, DEFAULT_CACHE_NAME, statStamp } from './replay';

const FORMAT = 1;

export interface CachedResult {
  findings: Finding[];
  coverage: Coverage;
}

interface FileEntry {
  /** Content hash of the file's bytes. */
  content: string;
  /**
   * The file's stat (size, times, inode) when its bytes had that hash, with what reading them found:
   * a file whose stat is unchanged is not read again (as git's index does), only its hash is reused.
   */
  stat?: { stamp: string; encoding: TextEncoding; generated: boolean };
  /** Schema facts of this content: under which key (dialect, size limit), and their hash (their JSON is in the facts file). */
  facts?: { key: string; hash: string };
  result?: {
    /** Settings, locale and folders the analysis ran with. */
    context: string;
    /** Fingerprint of the schema model, when the analysis read it. */
    schema: string | null;
    /** What the analysis asked the project, with the answers. */
    project: ProjectCall[];
    findings: Finding[];
    coverage: Coverage;
  };
}

interface CacheFile {
  format: number;
  build: string;
  files: Record<string, FileEntry>;
}

/**
 * The facts themselves live in a second file beside the first (<cache>.facts, by facts hash): they are
 * read only when something has to be analysed, so a run the cache answers whole does not parse them.
 */
interface FactsFile {
  format: number;
  facts: Record<string, string>;
}

export class ResultCache {
  private readonly files: Record<string, FileEntry>;
  private readonly seen = new Set<string>();
  private dirty = false;
  private factsTexts: Record<string, string> | undefined;
  private factsDirty = false;

  private constructor(
    readonly location: string,
    private readonly build: string,
    loaded: CacheFile | undefined,
  ) {
    const valid = loaded?.format === FORMAT && loaded.build === build && !!loaded.files && typeof loaded.files === 'object';
    this.files = valid ? loaded.files : {};
    this.dirty = !valid;
  }

  /** Opens the cache file (see cacheFilePath); a missing, unreadable or other build's cache is empty. */
  static open(file: string): ResultCache {
    return new ResultCache(file, buildIdentity(), readJson<CacheFile>(file));
  }

  /** What was recorded about a file whose stat is still `stamp`: its content hash and what reading it found. */
  unchanged(file: string, stamp: string): { content: string; encoding: TextEncoding; generated: boolean } | undefined {
    const entry = this.files[file];
    return entry?.stat?.stamp === stamp ? { content: entry.content, encoding: entry.stat.encoding, generated: entry.stat.generated } : undefined;
  }

  storeStat(file: string, content: string, stat: NonNullable<FileEntry['stat']>): void {
    this.seen.add(file);
    const entry = this.entryFor(file, content);
    if (entry.stat?.stamp === stat.stamp && entry.stat.encoding === stat.encoding && entry.stat.generated === stat.generated) return;
    entry.stat = stat;
    this.dirty = true;
  }

  /** The hash of the schema facts recorded for this content under this key. */
  factsHash(file: string, content: string, key: string): string | undefined {
    this.seen.add(file);
    const entry = this.files[file];
    return entry?.content === content && entry.facts?.key === key ? entry.facts.hash : undefined;
  }

  /** The JSON of the facts with this hash, when the facts file has them. */
  factsText(hash: string): string | undefined {
    return this.loadFactsTexts()[hash];
  }

  storeFacts(file: string, content: string, key: string, hash: string, json: string): void {
    this.seen.add(file);
    this.entryFor(file, content).facts = { key, hash };
    const texts = this.loadFactsTexts();
    if (texts[hash] !== json) {
      texts[hash] = json;
      this.factsDirty = true;
    }
    this.dirty = true;
  }

  /**
   * The findings recorded for this content and context, when the schema (if the analysis read it) and
   * the project's answers are still the same.
   */
  result(file: string, content: string, context: string, schema: string, answersHold: (calls: ProjectCall[]) => boolean): CachedResult | undefined {
    this.seen.add(file);
    const entry = this.files[file];
    const result = entry?.content === content ? entry.result : undefined;
    if (!result || result.context !== context) return undefined;
    if (result.schema !== null && result.schema !== schema) return undefined;
    if (result.project.length && !answersHold(result.project)) return undefined;
    return { findings: result.findings, coverage: result.coverage };
  }

  storeResult(file: string, content: string, result: NonNullable<FileEntry['result']>): void {
    this.seen.add(file);
    this.entryFor(file, content).result = result;
    this.dirty = true;
  }

  /**
   * Writes the cache when something changed: entries of this run, and those of files not seen in this
   * run that still exist (a run on the changed files keeps the others). Throws when it cannot be written.
   */
  save(): void {
    if (!this.dirty && !this.factsDirty) return;
    const files: Record<string, FileEntry> = {};
    for (const [file, entry] of Object.entries(this.files)) if (this.seen.has(file) || fs.existsSync(file)) files[file] = entry;
    fs.mkdirSync(path.dirname(this.location), { recursive: true });
    if (this.factsDirty) {
      const texts = this.loadFactsTexts();
      const kept: Record<string, string> = {};
      for (const entry of Object.values(files)) if (entry.facts && texts[entry.facts.hash] !== undefined) kept[entry.facts.hash] = texts[entry.facts.hash];
      writeAtomically(`${this.location}.facts`, JSON.stringify({ format: FORMAT, facts: kept } satisfies FactsFile));
    }
    writeAtomically(this.location, JSON.stringify({ format: FORMAT, build: this.build, files } satisfies CacheFile));
    this.dirty = this.factsDirty = false;
  }

  private loadFactsTexts(): Record<string, string> {
    if (!this.factsTexts) {
      const loaded = readJson<FactsFile>(`${this.location}.facts`);
      this.factsTexts = loaded?.format === FORMAT && loaded.facts && typeof loaded.facts === 'object' ? loaded.facts : {};
    }
    return this.factsTexts;
  }

  private entryFor(file: string, content: string): FileEntry {
    let entry = this.files[file];
    if (!entry || entry.content !== content) {
      entry = { content };
      this.files[file] = entry;
    }
    return entry;
  }
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}

export function contentHash(bytes: Buffer): string {
  return createHash('sha1').update(bytes).digest('base64');
}

/** What results depend on besides the file: settings (by value), locale and the folders paths are judged from. */
export function contextKey(settings: Settings, locale: Locale, cwd: string, base: string): string {
  return createHash('sha1')
    .update(JSON.stringify([settingsJson(settings), locale, cwd, base]))
    .digest('base64');
}

/** The schema model's identity: every file's facts (by hash), in path order. */
export function schemaFingerprint(factsByFile: Array<[string, string]>): string {
  const digest = createHash('sha1');
  for (const [file, hash] of [...factsByFile].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))) digest.update(`${file}\0${hash}\0`);
  return digest.digest('base64');
}

export function factsHash(json: string): string {
  return createHash('sha1').update(json).digest('base64');
}

const settingsTexts = new WeakMap<Settings, string>();

function settingsJson(settings: Settings): string {
  let text = settingsTexts.get(settings);
  if (text === undefined) {
    text = JSON.stringify(settings);
    settingsTexts.set(settings, text);
  }
  return text;
}

// The running bundle identifies the build: a rebuild with any change in the analysis discards the
// cache, not only a new version number. Its size and modification time stand for its bytes (reading
// and hashing them would cost a warm run a tenth of its time); a package installed from the registry
// is identified by its version.
function buildIdentity(): string {
  let code = 'unbundled';
  try {
    if (__filename.endsWith('.js')) {
      const stat = fs.statSync(__filename);
      code = `${stat.size}:${stat.mtimeMs}`;
    }
  } catch {
    // the bundle cannot be read back: the version alone
  }
  return `${SERVER_VERSION}:${code}`;
}
