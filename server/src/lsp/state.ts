// What the language server knows between requests: open documents, the workspace schema, the
// project configuration files, and the latest analysis of each open document. Hovers and code actions
// are served from that analysis; lsp/handlers/diagnostics.ts decides when documents are analysed.

import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as TS from 'typescript';
import type { Connection } from 'vscode-languageserver/node';
import { TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CONFIG_FILE_NAME, defaultSettings, mergeSettings, sqlDialectFor, validateSettings, type PartialSettings, type Settings } from '../core/config';
import { ConfigResolver, type ConfigFile, type ResolvedConfig } from '../core/config-resolver';
import { withPeers } from '../core/coexistence';
import { DiskProject } from '../project/disk-project';
import { EditorBaseline } from './editor-baseline';
import { DocumentCache } from '../core/document-cache';
import { languageOfId, languageOfPath, lint, type DocumentLanguage, type LintResult } from '../core/lint';
import { resolveLocale, type Locale } from '../core/locale';
import { RULES } from '../rules';
import type { SchemaModel } from '../schema/model';
import { WorkspaceSchema } from '../schema/workspace';
import { LineIndex } from '../core/text/positions';
import { lineIndexAfterEdit } from '../core/incremental/text-edit';

export interface Analysis {
  version: number;
  /** The text analysed (the document's own string while the version is current). */
  text: string;
  /** The fingerprint of the workspace schema this analysis read; undefined when no rule read it. */
  schema: string | undefined;
  /** Settings in force (a change of settings or of a configuration file makes the analysis stale). */
  settingsGeneration: number;
  result: LintResult;
  /** How long lint() took, in milliseconds. */
  durationMs: number;
  /** When the settings say the document is analysed, and how long an analysis may take (editor only). */
  run: Settings['run'];
  timeBudget: Settings['timeBudget'];
  locale: Locale;
  lines: LineIndex;
  language: DocumentLanguage;
}

/**
 * Documents opened or edited most recently keep their caches (statements, syntax trees): they make the
 * next keystroke cheap. More than a hot set of 20 documents typed in by turns, and the text they cover
 * is bounded too, as the trees are some tens of times larger than the text.
 */
const MODEL_CACHES = 40;
const MODEL_CACHE_TEXT = 4 * 1024 * 1024;

export class ServerState {
  readonly documents = new TextDocuments(TextDocument);
  readonly schema = new WorkspaceSchema();
  /** The project on disk around the documents: dependencies' SQL dialect, clients exported by modules. */
  readonly project = new DiskProject();
  /** Findings recorded in armadilha-baseline.json, shown at the level of the setting baselineLevel. */
  readonly baseline = new EditorBaseline();
  clientLocale: string | undefined;
  canReadConfiguration = false;
  /** Untrusted workspaces: analysis runs (it executes nothing) but project config files are not read. */
  trusted = true;
  workspaceFolders: string[] = [];
  initializationSettings: unknown;
  /** Other extensions installed that report what Armadilha would (coexistence.ts). */
  peers: string[] = [];
  private readonly editorSettings = new Map<string, Promise<PartialSettings>>();
  /** armadilha.config.json files: the nearest per document, as the CLI finds them (core/config-resolver.ts). */
  readonly configs: ConfigResolver;
  private readonly analyses = new Map<string, Analysis>();
  /** Least recently touched first (Map order). */
  private readonly modelCaches = new Map<string, { cache: DocumentCache; textLength: number }>();
  private modelCacheText = 0;
  private readonly watchedModels = new WeakMap<SchemaModel, SchemaModel>();
  /** Set when a rule of the analysis in progress reads the workspace schema. */
  private schemaRead = false;
  /** Grows when editor settings or configuration files change. */
  settingsGeneration = 0;
  /** Lint runs since start (the tests read it through the statistics request). */
  analysisCount = 0;

  constructor(
    readonly connection: Connection,
    onConfigRead: (file: ConfigFile) => void = () => undefined,
  ) {
    this.configs = new ConfigResolver(RULES, onConfigRead);
  }

  /** Settings for a document: defaults ← editor settings ← armadilha.config.json. */
  async settingsFor(uri: string): Promise<Settings> {
    let editor = this.editorSettings.get(uri);
    if (!editor) {
      editor = this.readEditorSettings(uri);
      this.editorSettings.set(uri, editor);
    }
    const project = this.projectConfigFor(uri);
    return mergeSettings(mergeSettings(defaultSettings(RULES), await editor), project?.settings);
  }

  /**
   * Settings for a file on disk that is not open (workspace analysis): the editor settings of its
   * workspace folder (one request per folder, not per file) ← its armadilha.config.json.
   */
  async settingsForFile(file: string): Promise<Settings> {
    const folder = this.workspaceFolderOf(file);
    const scope = folder ? fileUri(folder) : fileUri(file);
    let editor = this.editorSettings.get(scope);
    if (!editor) {
      editor = this.readEditorSettings(scope);
      this.editorSettings.set(scope, editor);
    }
    const project = this.trusted ? this.configs.configFor(file) : undefined;
    return mergeSettings(mergeSettings(defaultSettings(RULES), await editor), project?.settings);
  }

  /** The workspace folder holding a file, if any. */
  workspaceFolderOf(file: string): string | undefined {
    return this.workspaceFolders.find((folder) => file.startsWith(folder + path.sep));
  }

  /** Editor settings changed. Analyses stay (hovers keep being served) but are no longer current. */
  forgetSettings(): void {
    this.editorSettings.clear();
    this.settingsGeneration++;
  }

  forgetProjectConfigs(): void {
    this.configs.forget();
    this.settingsGeneration++;
  }

  /**
   * The configuration governing a document: the nearest armadilha.config.json above it, up to the
   * repository root, with what it extends. Unsaved documents have none; untrusted workspaces none.
   */
  projectConfigFor(uri: string): ResolvedConfig | undefined {
    if (!this.trusted) return undefined;
    const file = filePath(uri);
    return file ? this.configs.configFor(file) : undefined;
  }

  /** An armadilha.config.json (or a file one extends) open in the editor: validated, not analysed. */
  isConfigDocument(uri: string): boolean {
    const file = filePath(uri);
    if (!file) return false;
    return path.basename(file) === CONFIG_FILE_NAME || this.loadedProjectConfigs().some((config) => config.file === file);
  }

  /** Every configuration file read so far (to publish their problems). */
  loadedProjectConfigs(): ConfigFile[] {
    return this.trusted ? this.configs.loaded() : [];
  }

  /** The latest analysis of an open document, whatever version it was made for. */
  latestAnalysis(uri: string): Analysis | undefined {
    return this.analyses.get(uri);
  }

  /** True when analysing the document now would give the same result. */
  isCurrent(analysis: Analysis, document: TextDocument): boolean {
    return (
      analysis.version === document.version &&
      analysis.settingsGeneration === this.settingsGeneration &&
      (analysis.schema === undefined || analysis.schema === this.schema.fingerprint())
    );
  }

  /** Analyses the newest version of a document (it may change while settings are read). */
  async analyze(document: TextDocument): Promise<Analysis | undefined> {
    const language = languageOfId(document.languageId) ?? languageOfPath(document.uri);
    if (!language) return undefined;
    const settingsGeneration = this.settingsGeneration;
    const settings = withPeers(await this.settingsFor(document.uri), language, this.peers);
    const current = this.documents.get(document.uri);
    if (!current) return undefined; // closed meanwhile
    const text = current.getText();
    const locale = resolveLocale(settings.locale, this.clientLocale);
    const schemaKey = language === 'sql' ? schemaKeyOf(current.uri) : undefined;
    this.analysisCount++;
    this.schemaRead = false;
    const started = performance.now();
    const result = lint({
      text,
      language,
      fileName: filePath(current.uri) ?? current.uri,
      workspaceFolder: this.workspaceFolders.find((folder) => filePath(current.uri)?.startsWith(folder + path.sep)),
      settings,
      locale,
      schema: (facts) => this.watched(schemaKey ? this.schema.modelFor(schemaKey, facts) : this.schema.model()),
      cache: this.modelCaches.get(current.uri)?.cache,
      edited: true,
      sqlDialect: language === 'sql' ? this.sqlDialectOf(current.uri, settings) : undefined,
      project: this.project,
    });
    // A baseline in the repository lowers findings, so it counts only in a trusted workspace.
    if (this.trusted)
      result.findings = this.baseline.apply(
        filePath(current.uri),
        this.workspaceFolders.find((folder) => filePath(current.uri)?.startsWith(folder + path.sep)),
        text,
        result.findings,
        settings.baselineLevel,
      );
    const durationMs = performance.now() - started;
    const schema = this.schemaRead ? this.schema.fingerprint() : undefined;
    const previous = this.analyses.get(current.uri);
    const analysis: Analysis = {
      version: current.version,
      text,
      schema,
      settingsGeneration,
      result,
      durationMs,
      run: settings.run,
      timeBudget: settings.timeBudget,
      locale,
      lines: previous ? lineIndexAfterEdit(previous.lines, text) : new LineIndex(text),
      language,
    };
    this.analyses.set(current.uri, analysis);
    for (const failure of result.ruleErrors)
      this.connection.console.error(`Rule ${failure.ruleId} failed on ${current.uri}: ${(failure.error as Error)?.stack ?? String(failure.error)}`);
    return analysis;
  }

  /**
   * What the settings say a .sql document is (sql.dialect), its path taken relative to the folder of
   * the configuration file that governs it, or else to its workspace folder.
   */
  sqlDialectOf(uri: string, settings: Settings): 'postgres' | 'skip' | undefined {
    const file = filePath(uri);
    if (!file || !Object.keys(settings.sqlDialect).length) return undefined;
    const config = this.projectConfigFor(uri);
    const base = config ? config.base : (this.workspaceFolders.find((folder) => file.startsWith(folder + path.sep)) ?? path.dirname(file));
    return sqlDialectFor(settings, path.relative(base, file));
  }

  /** Called when a document closes. */
  forgetAnalysis(uri: string): void {
    this.analyses.delete(uri);
    this.editorSettings.delete(uri);
    this.dropModelCache(uri);
  }

  /**
   * A document was opened or edited: it keeps a cache for its next analyses. Documents analysed again
   * only because the schema or the settings changed do not count (they would push out the ones being
   * typed in); when the limits are reached, the least recently touched cache goes.
   */
  touch(uri: string): void {
    const text = this.documents.get(uri)?.getText().length ?? 0;
    const entry = this.modelCaches.get(uri);
    this.dropModelCache(uri); // re-inserted last: Map order is least recently touched first
    this.modelCaches.set(uri, { cache: entry?.cache ?? new DocumentCache(), textLength: text });
    this.modelCacheText += text;
    for (const [oldest] of this.modelCaches) {
      if (this.modelCaches.size <= 1 || (this.modelCaches.size <= MODEL_CACHES && this.modelCacheText <= MODEL_CACHE_TEXT)) break;
      this.dropModelCache(oldest);
    }
  }

  /**
   * The syntax tree a document's cache holds, if it is the tree of exactly this text. Only for
   * immediate use: the next analysis of the document may reuse its nodes.
   */
  typescriptTree(uri: string, text: string): TS.SourceFile | undefined {
    const tree = this.modelCaches.get(uri)?.cache.typescript;
    return tree && tree.text === text ? tree : undefined;
  }

  modelCacheCount(): number {
    return this.modelCaches.size;
  }

  /**
   * The model, noting whether a rule reads it: most documents' findings do not depend on the workspace
   * schema at all (no rule looked anything up), and those need no new analysis when it changes. One
   * watcher per model, so that the same facts give the same object (incremental analysis keeps
   * findings while the schema object stays the same).
   */
  private watched(model: SchemaModel): SchemaModel {
    let watched = this.watchedModels.get(model);
    if (!watched) {
      watched = whenRead(model, () => (this.schemaRead = true));
      this.watchedModels.set(model, watched);
    }
    return watched;
  }

  private dropModelCache(uri: string): void {
    const entry = this.modelCaches.get(uri);
    if (!entry) return;
    this.modelCacheText -= entry.textLength;
    this.modelCaches.delete(uri);
  }

  private async readEditorSettings(uri: string): Promise<PartialSettings> {
    let raw: unknown = this.initializationSettings;
    if (this.canReadConfiguration) {
      try {
        raw = await this.connection.workspace.getConfiguration({ scopeUri: uri, section: 'armadilha' });
      } catch {
        raw = this.initializationSettings;
      }
    }
    if (!raw || typeof raw !== 'object') return {};
    // Editors send every contributed setting; only the valid ones are kept.
    return validateSettings(raw, RULES).settings;
  }
}

/** The model, calling `read` whenever a property of it is read. */
function whenRead(model: SchemaModel, read: () => void): SchemaModel {
  return new Proxy(model, {
    get(target, property, receiver) {
      read();
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

/** Where a SQL document's facts are kept in the workspace schema: its path, or its URI when unsaved. */
export function schemaKeyOf(uri: string): string {
  return filePath(uri) ?? uri;
}

export function filePath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function fileUri(file: string): string {
  return pathToFileURL(file).toString();
}
