// The workspace's .sql files feed the schema model: read once at start-up (in slices, so that
// diagnostics for open documents are never held up, with progress shown), then kept current through
// workspace/didChangeWatchedFiles and document closes. Configuration file changes re-read the
// configuration.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileChangeType, type DidChangeWatchedFilesParams } from 'vscode-languageserver/node';
import { BASELINE_FILE_NAME } from '../../baseline/baseline';
import { CONFIG_FILE_NAME, defaultSettings, sqlDialectFor } from '../../core/config';
import { RULES } from '../../rules';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { languageOfId, languageOfPath, looksBinary } from '../../core/lint';
import { filePath, fileUri, schemaKeyOf, type Analysis, type ServerState } from '../state';
import type { DiagnosticsPublisher } from './diagnostics';

const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git', 'dist', 'build', 'out', '.next', 'coverage', 'vendor', 'target', '.vscode-test']);
const SLICE_MS = 15;
const MAX_INDEXED_BYTES = 2 * 1024 * 1024;

/** Reads the workspace's .sql files into the schema model; returns how many, and how long it took. */
export async function indexWorkspace(state: ServerState, publisher: DiagnosticsPublisher, title: string): Promise<{ files: number; ms: number }> {
  const started = performance.now();
  const files = state.workspaceFolders.flatMap((folder) => listSqlFiles(folder));
  if (!files.length) return { files: 0, ms: 0 };
  const progress = await state.connection.window.createWorkDoneProgress().catch(() => undefined);
  progress?.begin(title, 0, `0/${files.length}`, false);
  let sliceStart = Date.now();
  for (let index = 0; index < files.length; index++) {
    const file = files[index];
    if (!state.documents.get(fileUri(file))) readIntoSchema(state, file);
    if (Date.now() - sliceStart > SLICE_MS) {
      progress?.report(Math.round((index / files.length) * 100), `${index}/${files.length}`);
      // Yield so that pending requests (diagnostics for the open file, hovers) are served first.
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = Date.now();
    }
  }
  progress?.done();
  publisher.scheduleAll();
  return { files: files.length, ms: Math.round(performance.now() - started) };
}

/**
 * Files changed on disk. Returns the configuration files among them (any *.json: a file that an
 * armadilha.config.json extends may have any name) when configuration or project files changed, so
 * that the caller reads them again; re-checks documents itself when only the schema changed.
 */
export function onWatchedFilesChanged(
  state: ServerState,
  publisher: DiagnosticsPublisher,
  params: DidChangeWatchedFilesParams,
): { configFiles: string[] } | undefined {
  let configChanged = false;
  let schemaChanged = false;
  const configFiles: string[] = [];
  for (const change of params.changes) {
    const file = filePath(change.uri);
    if (!file) continue;
    if (path.basename(file) === CONFIG_FILE_NAME || state.loadedProjectConfigs().some((config) => config.file === file)) {
      configChanged = true;
      if (change.type !== FileChangeType.Deleted) configFiles.push(file);
    } else if (path.basename(file) === BASELINE_FILE_NAME) {
      state.baseline.forget();
      configChanged = true;
    } else if (/^(package|tsconfig|jsconfig)\.json$|\.prisma$/.test(path.basename(file))) {
      // Dependencies, path aliases or the Prisma datasource changed: what the project says is re-read.
      state.project.forget();
      configChanged = true;
    } else if (file.toLowerCase().endsWith('.sql') && !state.documents.get(change.uri)) {
      if (change.type === FileChangeType.Deleted) schemaChanged = state.schema.remove(file) || schemaChanged;
      else schemaChanged = readIntoSchema(state, file) || schemaChanged;
    }
  }
  if (configChanged) return { configFiles };
  if (schemaChanged) publisher.recheckAll();
  return undefined;
}

/**
 * A document closed: the schema goes back to what is saved on disk. Returns true when its facts
 * changed (the document had unsaved edits that the schema reflected), so others must be re-checked.
 */
export function restoreSavedFacts(state: ServerState, document: TextDocument, analysis: Analysis | undefined): boolean {
  if ((languageOfId(document.languageId) ?? languageOfPath(document.uri)) !== 'sql') return false;
  const file = filePath(document.uri);
  // Only .sql files on disk belong to the workspace schema; an unsaved or other document's facts go.
  if (!file || !file.toLowerCase().endsWith('.sql')) return state.schema.remove(schemaKeyOf(document.uri));
  // The usual case, closing a document as it is saved: the schema already holds the facts of that text.
  if (analysis && analysis.version === document.version && savedText(file) === analysis.text) return false;
  return readIntoSchema(state, file);
}

function savedText(file: string): string | undefined {
  try {
    if (fs.statSync(file).size > MAX_INDEXED_BYTES) return undefined;
    const text = fs.readFileSync(file, 'utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return undefined;
  }
}

/** Reads a file from disk into the schema model; unreadable, huge or binary files are left out. */
export function readIntoSchema(state: ServerState, file: string): boolean {
  try {
    const stat = fs.statSync(file);
    if (stat.size > MAX_INDEXED_BYTES) return false;
    const text = fs.readFileSync(file, 'utf8');
    if (looksBinary(text)) return false;
    const config = state.projectConfigFor(fileUri(file));
    const dialect = config?.settings.sqlDialect
      ? sqlDialectFor({ ...defaultSettings(RULES), sqlDialect: config.settings.sqlDialect }, path.relative(config.base, file))
      : undefined;
    return state.schema.updateFromText(file, text, dialect);
  } catch {
    return state.schema.remove(file);
  }
}

export function listSqlFiles(root: string, found: string[] = []): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name) && !entry.name.startsWith('.')) listSqlFiles(path.join(root, entry.name), found);
    } else if (entry.isFile() && entry.name.toLowerCase().endsWith('.sql')) found.push(path.join(root, entry.name));
  }
  return found.sort();
}
