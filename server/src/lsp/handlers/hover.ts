// textDocument/hover: the documentation of a finding under the cursor, else of the SQL keyword (also
// inside SQL embedded in TypeScript), else of the TypeScript API under it.

import type * as TS from 'typescript';
import type { Hover, HoverParams } from 'vscode-languageserver/node';
import { findingHover, sqlKeywordHover, typescriptHover } from '../../hover/hover';
import type { Locale } from '../../core/locale';
import type { Analysis } from '../state';

export interface HoverSources {
  /** The latest analysis of the document's current version (see lsp/handlers/diagnostics.ts). */
  analysisFor(uri: string): Promise<Analysis | undefined>;
  /** The syntax tree of a TypeScript document's text, when its cache holds that one (no parse then). */
  typescriptTree(uri: string, text: string): TS.SourceFile | undefined;
  /** Where a hover's documentation link leads: the editor's documentation view, or the web page. */
  docsLink?: (ruleId: string, locale: Locale) => string;
}

export async function onHover(sources: HoverSources, params: HoverParams): Promise<Hover | null> {
  const uri = params.textDocument.uri;
  const analysis = await sources.analysisFor(uri);
  if (!analysis) return null;
  const offset = analysis.lines.offsetAt(params.position);
  const text = analysis.text;
  const markdown =
    findingHover(analysis.result.findings, offset, analysis.locale, sources.docsLink) ??
    (analysis.language === 'sql'
      ? sqlKeywordHover(text, offset, analysis.locale)
      : typescriptHover(text, uri, offset, analysis.locale, sources.typescriptTree(uri, text)));
  return markdown ? { contents: { kind: 'markdown', value: markdown } } : null;
}
