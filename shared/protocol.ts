// The messages Armadilha adds to the Language Server Protocol, in one place for the server, the VS Code
// client, the tests and the benchmarks: each name with the types of its parameters and result, so that
// a renamed request or a changed answer fails to compile on both sides. Nothing here imports server or
// client code (the client bundle includes this file).

import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';

export type DisplayLocale = 'en' | 'pt-BR';

/** What the client sends in InitializeParams.initializationOptions. */
export interface InitializationOptions {
  /** Display language when the client does not send InitializeParams.locale. */
  locale?: string;
  /** False in untrusted workspaces: the project configuration file is not read. */
  trusted?: boolean;
  /** Settings for clients without workspace/configuration. */
  settings?: unknown;
  /** "push": publish diagnostics even though the client could pull them (the VS Code client, which offers the Analyse Workspace command instead). */
  diagnostics?: 'push' | 'pull';
  /** A client command that opens a rule's documentation (argument: the rule id): hovers link to it instead of the web page. */
  documentationCommand?: string;
  /** Installed extensions that report syntax errors in .sql files (coexistence.ts). */
  peers?: string[];
}

export interface RuleSummary {
  id: string;
  /** One sentence, in the user's language. */
  summary: string;
}

/** Request: every rule with its summary, in the user's language (the VS Code client's rule picker). */
export const RulesRequest = new RequestType0<{ locale: DisplayLocale; rules: RuleSummary[] }, void>('armadilha/rules');

/** Request: the Markdown documentation of one rule in the user's language; null for an unknown rule. */
export const RuleDocumentationRequest = new RequestType<{ ruleId: string }, { locale: DisplayLocale; markdown: string | null }, void>(
  'armadilha/ruleDocumentation',
);

/** Request ("Armadilha: Analyse Workspace"): every file of the workspace analysed, findings pushed. */
export const AnalyseWorkspaceRequest = new RequestType0<{ files: number; findings: number }, void>('armadilha/analyseWorkspace');

/** What the server is doing, for tests and benchmarks. */
export interface ServerStatistics {
  /** Lint runs since the server started. */
  analyses: number;
  /** Documents waiting to be analysed. */
  queued: number;
  /** An analysis is under way or due (false, with nothing queued: the server is idle). */
  busy: boolean;
  /** Documents that keep a cache for their next analysis. */
  caches: number;
  /** process.memoryUsage(), in MB. */
  memoryMb: Record<string, number>;
}

/** Request for tests and benchmarks: analyses run so far and documents waiting. */
export const StatisticsRequest = new RequestType0<ServerStatistics, void>('armadilha/statistics');

/** Notification from the client: the names of installed extensions that report what Armadilha would (coexistence.ts). */
export const PeersNotification = new NotificationType<{ peers: string[] }>('armadilha/peers');

export type StatusLevel = 'ok' | 'warning' | 'error';

export interface StatusParams {
  level: StatusLevel;
  /** Why the level is not ok, one sentence each. */
  reasons: string[];
}

/**
 * Notification from the server, shown in the client's status bar: a warning while a configuration file
 * has problems or an edited document's analysis runs past its time budget, an error past its error budget.
 */
export const StatusNotification = new NotificationType<StatusParams>('armadilha/status');
