// Shared helpers for tests: lint with a schema, apply fixes, parse.
import { defaultSettings, mergeSettings, type PartialSettings } from '../../server/src/core/config';
import { applyEdits } from '../../server/src/core/fixes';
import { buildSqlFileModel } from '../../server/src/languages/sql/sql-file';
import { loadParser, parseSql } from '../../server/src/languages/sql/parser';
import { lint, type DocumentLanguage, type Finding } from '../../server/src/core/lint';
import type { Locale } from '../../server/src/core/locale';
import { RULES } from '../../server/src/rules';
import { schemaFacts } from '../../server/src/schema/facts';
import { loadTypeScript, ts } from '../../server/src/languages/typescript/project';
import { SchemaModel } from '../../server/src/schema/model';
import type { ProjectContext } from '../../server/src/project/context';

export const ready = loadParser();

export interface LintOptions {
  language?: DocumentLanguage;
  fileName?: string;
  schema?: string;
  locale?: Locale;
  settings?: PartialSettings;
  /** The project around the file (its package.json, its Prisma schema), read from the disk. */
  project?: ProjectContext;
}

export function lintText(code: string, options: LintOptions = {}): Finding[] {
  const extra = options.schema ? schemaFacts(buildSqlFileModel(options.schema).statements) : [];
  const result = lint({
    text: code,
    language: options.language ?? 'sql',
    fileName: options.fileName,
    settings: mergeSettings(defaultSettings(RULES), options.settings),
    locale: options.locale ?? 'en',
    schema: (facts) => SchemaModel.fromFacts([extra, facts]),
    project: options.project,
  });
  if (result.ruleErrors.length) throw result.ruleErrors[0].error;
  return result.findings;
}

export function findingsOf(ruleId: string, code: string, options: LintOptions = {}): Finding[] {
  return lintText(code, options).filter((finding) => finding.ruleId === ruleId);
}

/** Applies the first fix of a finding. */
export function applyFirstFix(code: string, finding: Finding): string {
  return applyEdits(code, finding.fixes[0].edits);
}

/** True when libpg-query parses every statement of a script (psql-free SQL). */
export function sqlParses(code: string): boolean {
  const model = buildSqlFileModel(code);
  return model.syntaxErrors.length === 0 && parseSql(code).ok;
}

/** True when TypeScript reports no syntax error (the compiler's parse diagnostics) for the text. */
export function typescriptParses(code: string, fileName = 'example.ts'): boolean {
  loadTypeScript();
  const source = ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, true, /x$/.test(fileName) ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  return ((source as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics ?? []).length === 0;
}

export { RULES };
