// What the language server knows between requests: open documents, the workspace schema, the
// project configuration files, and the last analysis of each open document (a cache keyed by
// document version, so hovers and code actions never re-analyse an unchanged text).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Connection } from 'vscode-languageserver/node';
import { TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CONFIG_FILE_NAME, defaultSettings, mergeSettings, parseConfigText, sqlDialectFor, validateSettings, type ConfigProblem, type PartialSettings, type Settings } from './config';
import { DiskProject } from './project/disk-project';
import { DocumentCache } from './document-cache';
import { languageOfId, languageOfPath, lint, type DocumentLanguage, type LintResult } from './lint';
import { resolveLocale, type Locale } from './locale';
import { RULES } from './rules';
import { WorkspaceSchema } from './schema/workspace';
import { LineIndex } from './text/positions';

export interface Analysis {
  version: number;
  /** The workspace schema's generation after this analysis (a later change makes it stale). */
  schemaGeneration: number;
  result: LintResult;
  locale: Locale;
  lines: LineIndex;
  language: DocumentLanguage;
}

export interface ProjectConfig {
  /** Absolute path of armadilha.config.json. */
  file: string;
  text: string;
  settings: PartialSettings;
  problems: ConfigProblem[];
}

const MODEL_CACHES = 16;

export class ServerState {
  readonly documents = new TextDocuments(TextDocument);
  readonly schema = new WorkspaceSchema();
  /** The project on disk around the documents: dependencies' SQL dialect, clients exported by modules. */
  readonly project = new DiskProject();
  clientLocale: string | undefined;
  canReadConfiguration = false;
  /** Untrusted workspaces: analysis runs (it executes nothing) but project config files are not read. */
  trusted = true;
  workspaceFolders: string[] = [];
  initializationSettings: unknown;
  private readonly editorSettings = new Map<string, Promise<PartialSettings>>();
  private readonly projectConfigs = new Map<string, ProjectConfig | null>();
  private readonly analyses = new Map<string, Analysis>();
  private readonly modelCaches = new Map<string, DocumentCache>();

  constructor(readonly connection: Connection) {}

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

  forgetSettings(): void {
    this.editorSettings.clear();
    this.analyses.clear();
  }

  forgetProjectConfigs(): void {
    this.projectConfigs.clear();
    this.analyses.clear();
  }

  /** The configuration file governing a document: the nearest armadilha.config.json up to its workspace folder. */
  projectConfigFor(uri: string): ProjectConfig | undefined {
    if (!this.trusted) return undefined;
    const file = filePath(uri);
    if (!file) return undefined;
    const root = this.workspaceFolders.find((folder) => file.startsWith(folder + path.sep)) ?? path.dirname(file);
    for (let directory = path.dirname(file); ; directory = path.dirname(directory)) {
      const config = this.loadProjectConfig(directory);
      if (config) return config;
      if (directory === root || path.dirname(directory) === directory || !directory.startsWith(root)) return undefined;
    }
  }

  /** Every configuration file read so far (to publish their problems). */
  loadedProjectConfigs(): ProjectConfig[] {
    return [...this.projectConfigs.values()].filter((config): config is ProjectConfig => !!config);
  }

  async analyze(document: TextDocument): Promise<Analysis | undefined> {
    const cached = this.analyses.get(document.uri);
    if (cached && cached.version === document.version && cached.schemaGeneration === this.schema.generation) return cached;
    const language = languageOfId(document.languageId) ?? languageOfPath(document.uri);
    if (!language) return undefined;
    const settings = await this.settingsFor(document.uri);
    // The document may have changed while settings were read; the newest version is analysed.
    const current = this.documents.get(document.uri) ?? document;
    const text = current.getText();
    const locale = resolveLocale(settings.locale, this.clientLocale);
    const schemaKey = language === 'sql' ? filePath(current.uri) ?? current.uri : undefined;
    const result = lint({
      text,
      language,
      fileName: filePath(current.uri) ?? current.uri,
      workspaceFolder: this.workspaceFolders.find((folder) => filePath(current.uri)?.startsWith(folder + path.sep)),
      settings,
      locale,
      schema: (facts) => (schemaKey ? this.schema.modelFor(schemaKey, facts) : this.schema.model()),
      cache: this.modelCacheFor(current.uri),
      sqlDialect: language === 'sql' ? this.sqlDialectOf(current.uri, settings) : undefined,
      project: this.project,
    });
    const analysis: Analysis = { version: current.version, schemaGeneration: this.schema.generation, result, locale, lines: new LineIndex(text), language };
    this.analyses.set(current.uri, analysis);
    for (const failure of result.ruleErrors) this.connection.console.error(`Rule ${failure.ruleId} failed on ${current.uri}: ${(failure.error as Error)?.stack ?? failure.error}`);
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
    const base = config ? path.dirname(config.file) : (this.workspaceFolders.find((folder) => file.startsWith(folder + path.sep)) ?? path.dirname(file));
    return sqlDialectFor(settings, path.relative(base, file));
  }

  /** Called when a document closes. */
  forgetAnalysis(uri: string): void {
    this.analyses.delete(uri);
    this.modelCaches.delete(uri);
  }

  /**
   * Document caches (statements, syntax trees) are kept for the documents analysed most recently only: they make a keystroke
   * cheap, and the documents being typed in are among those. Every other open document (a whole
   * workspace may be open) is analysed from scratch if it changes, instead of holding its trees.
   */
  private modelCacheFor(uri: string): DocumentCache {
    const cache = this.modelCaches.get(uri) ?? new DocumentCache();
    this.modelCaches.delete(uri); // re-inserted last: Map order is least recently used first
    this.modelCaches.set(uri, cache);
    if (this.modelCaches.size > MODEL_CACHES) this.modelCaches.delete(this.modelCaches.keys().next().value!);
    return cache;
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

  private loadProjectConfig(directory: string): ProjectConfig | undefined {
    const file = path.join(directory, CONFIG_FILE_NAME);
    if (this.projectConfigs.has(file)) return this.projectConfigs.get(file) ?? undefined;
    let config: ProjectConfig | null = null;
    try {
      const text = fs.readFileSync(file, 'utf8');
      const parsed = parseConfigText(text, RULES);
      config = { file, text, settings: parsed.settings, problems: parsed.problems };
    } catch {
      config = null; // no file here
    }
    this.projectConfigs.set(file, config);
    return config ?? undefined;
  }
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
