// The shape of a rule: one object holds everything a user sees (texts in both languages, examples,
// the skill it comes from) and everything the tests run. Rules never build LSP objects.

import type { Locale } from './locale';
import type { SqlModel } from '../languages/sql/sql-file';
import type { EmbeddedSql } from '../languages/typescript/embedded-sql';
import type { TsModel } from '../languages/typescript/ts-file';
import type { SchemaModel } from '../schema/model';
import type { Settings } from './config';

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export type RuleLanguage = 'sql' | 'ts';
export type FixSafety = 'safe' | 'unsafe';

/**
 * A rule's texts in one language. `Variant` and `FixKey` are the keys of its message fragments and fix
 * titles: a rule's reports may use only those (defineRule infers them), and both languages have them all.
 */
export interface RuleText<Variant extends string = string, FixKey extends string = string> {
  /** The squiggle message: names the table/function/call, says why and what to do. May use {placeholders}. */
  message: string;
  /** One line. */
  summary: string;
  /** Why it fails in a distributed system. */
  rationale: string;
  /** What to do instead. */
  remedy: string;
  /** Titles of the fixes the rule offers, by fix key. May use {placeholders}. */
  fixes?: Record<FixKey, string>;
  /** Message fragments chosen per report (see Report.variants). May use {placeholders}. */
  variants?: Record<Variant, string>;
}

export interface RuleExample {
  code: string;
  /** The text after applying the rule's first fix (only for rules that fix). */
  fixed?: string;
  /** Which file the example is: "sql" (default) or "ts". */
  language?: RuleLanguage;
  /** DDL the example needs: read into the schema model, and run before the code on PostgreSQL. */
  schema?: string;
  /** The first fix's safety, where it differs from the rule's (a fix offered for review in this shape). */
  safe?: boolean;
}

export interface RuleSetting<Key extends string = string> {
  /**
   * Key under `armadilha.names` (string lists), under `armadilha.levels` (a level: off, hint, info,
   * warning, error, for a part of the rule's findings), or top-level `armadilha.<key>` (numbers).
   */
  key: Key;
  default: string[] | number | Severity | 'off';
  description: Record<Locale, string>;
}

/**
 * A rule. The type parameters are the keys its texts and settings declare (see defineRule): its check
 * reports only declared variants and fix keys, and reads only declared settings.
 */
export interface Rule<Variant extends string = string, FixKey extends string = string, SettingKey extends string = string> {
  id: string;
  severity: Severity;
  languages: RuleLanguage[];
  fix?: FixSafety;
  /** The skill and section the rule's facts come from. */
  skill: { name: string; section: string };
  /** Prior art, if any. */
  sources?: string[];
  text: Record<Locale, RuleText<Variant, FixKey>>;
  examples: { invalid: RuleExample[]; valid: Array<string | RuleExample> };
  /** Name lists and numbers the rule reads from the settings. */
  settings?: Array<RuleSetting<SettingKey>>;
  /**
   * What a rule's findings on a statement depend on. 'statement': only that top-level statement (with
   * what is nested in it), the kind and isolation of its transactions, the schema, settings and locale
   * — never other statements, their order or absolute positions; the language server then runs it on
   * the statements an edit changed only (core/incremental/unit-rules.ts).
   *
   * 'transaction': only the statements of its unit — an explicit transaction (the top-level statements
   * from BEGIN/START TRANSACTION to COMMIT/ROLLBACK/END/PREPARE TRANSACTION, or to the end of the
   * script when none closes it, as `statement.transaction` delimits it) with what is nested in them,
   * or else the one top-level statement (a CREATE FUNCTION/PROCEDURE or DO with its body) — plus the
   * kind and isolation of their transactions, the schema, settings and locale. It may read
   * `statement.transaction.statements`, `statement.routine`, and the model's statements, scripts,
   * routines and transactions (the language server gives it the unit's); it must not read statements
   * of other units (DDL or routines elsewhere in the file, a count over the document), the text outside
   * its statements (comments between them, the line ending the file uses), their absolute positions (line
   * numbers in messages), nor report or fix outside the unit (a finding outside it makes the language
   * server run the rule on the whole document). context.inForce is allowed (the unit is then analysed
   * again on each edit). The language server runs it on the units an edit changed only.
   *
   * Default 'document': it runs on the whole document every time. When unsure, leave the default: a
   * wrong scope gives stale findings.
   */
  reads?: 'statement' | 'transaction' | 'document';
  /**
   * Rules that own some of this rule's cases (e.g. no-side-effect-before-commit leaves keyless payments
   * to require-idempotency-key). The rule asks `context.inForce(id, place)` and reports those cases only
   * where the other rule does not: its effective level is off, or a suppression comment turns it off there.
   */
  defers?: string[];
  /** Built-in checks (syntax errors, suppressions) are produced by the core, not by check(). */
  builtIn?: boolean;
  check?(context: RuleContext<Variant, FixKey, SettingKey>): void;
}

/** A text edit in document offsets (UTF-16). */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

export interface FixProposal<FixKey extends string = string> {
  /** Key into the rule's `text[locale].fixes`. */
  key: FixKey;
  data?: Record<string, string | number>;
  edits: Edit[];
  /** Overrides the rule's fix safety for this proposal. */
  safe?: boolean;
}

export interface Report<Variant extends string = string, FixKey extends string = string> {
  start: number;
  end: number;
  data?: Record<string, string | number>;
  fixes?: Array<FixProposal<FixKey>>;
  /** The finding's severity, when the rule sets it from a level setting of its own; else the rule's level. */
  severity?: Severity;
  /** Fills message placeholders with localized fragments: { reason: 'queueConsumer' } → text.variants.queueConsumer. */
  variants?: Record<string, Variant>;
  /**
   * Start of the statement the finding belongs to, used by `armadilha-ignore` comments, which go on the
   * line before the statement. Defaults to `start`.
   */
  anchor?: number;
}

/** What a rule's check sees; its reports and setting reads are typed by the rule's own keys. */
export interface RuleContext<Variant extends string = string, FixKey extends string = string, SettingKey extends string = string> {
  /** The document text. */
  text: string;
  /** SQL statements: of the .sql document, or embedded in the TypeScript/JavaScript document. */
  sql: SqlModel;
  /** The TypeScript/JavaScript document, for TS rules (undefined for .sql documents). */
  typescript: TsModel | undefined;
  /** The SQL literals of a TypeScript/JavaScript document, with the calls that run them. */
  embedded: EmbeddedSql[];
  schema: SchemaModel;
  settings: Settings;
  report(report: Report<Variant, FixKey>): void;
  /** A name list from the settings, e.g. names('idempotentTables'). */
  names(key: SettingKey): string[];
  /** A numeric setting, e.g. number('defaultTimeoutMs'). */
  number(key: SettingKey): number;
  /** A level setting (`armadilha.levels.<key>`), e.g. level('browserNetworkTimeout'). */
  level(key: SettingKey): Severity | 'off';
  /**
   * Whether a rule this rule defers to (listed in its `defers`) reports at a place: its effective level
   * is not off and no suppression comment of it applies there (`anchor`: the statement's start).
   */
  inForce(ruleId: string, place: { start: number; anchor?: number }): boolean;
  /** Computes a value once per lint run, shared by the rules that need it. */
  memo<T>(key: string, compute: () => T): T;
  /**
   * Counts work (one call site examined, one loop visited). Rules call it in loops whose length grows
   * with the document: when the document's analysis has used up its time budget, it throws, and the
   * core ends the analysis with a `skipped-file` finding instead of freezing the editor.
   */
  spend(units?: number): void;
}

/**
 * Declares a rule. The keys of its message variants, fix titles and settings are inferred from the
 * object, so a report with a misspelled variant or fix key, or a read of a setting the rule does not
 * declare, does not compile (instead of showing the raw key to the user, or reading an empty list).
 */
export function defineRule<const Variant extends string = never, const FixKey extends string = never, const SettingKey extends string = never>(
  rule: Rule<Variant, FixKey, SettingKey>,
): Rule {
  return rule;
}

/**
 * A report whose ranges fit the document: the finding's range is clamped into the text and never
 * inverted, and a fix with an edit outside the text, inverted, or overlapping another of its edits is
 * dropped (applying it would corrupt the file). Rules compute edits from syntax trees that broken code
 * leaves incomplete; this is the one place that every edit passes through.
 */
export function boundedReport(report: Report, length: number): Report {
  const clamp = (offset: number) => Math.min(Math.max(0, Number.isFinite(offset) ? offset : 0), length);
  const start = clamp(report.start);
  const end = Math.max(start, clamp(report.end));
  const fixes = report.fixes?.filter((fix) => editsFit(fix.edits, length));
  return { ...report, start, end, fixes, anchor: report.anchor === undefined ? undefined : clamp(report.anchor) };
}

function editsFit(edits: readonly Edit[], length: number): boolean {
  const ordered = [...edits].sort((left, right) => left.start - right.start);
  let previousEnd = 0;
  for (const edit of ordered) {
    if (!Number.isInteger(edit.start) || !Number.isInteger(edit.end) || edit.start < previousEnd || edit.end < edit.start || edit.end > length) return false;
    previousEnd = edit.end;
  }
  return true;
}
