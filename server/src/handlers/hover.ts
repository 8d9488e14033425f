// textDocument/hover: the documentation of a finding under the cursor, else of the SQL keyword (also
// inside SQL embedded in TypeScript), else of the TypeScript API under it.

import type { Hover, HoverParams } from 'vscode-languageserver/node';
import { findingHover, sqlKeywordHover } from '../hover-content';
import { typescriptHover } from '../hover-typescript';
import type { Analysis } from '../state';

/** `analysisFor` gives the latest analysis of the document's current version (see handlers/diagnostics.ts). */
export async function onHover(analysisFor: (uri: string) => Promise<Analysis | undefined>, params: HoverParams): Promise<Hover | null> {
  const analysis = await analysisFor(params.textDocument.uri);
  if (!analysis) return null;
  const offset = analysis.lines.offsetAt(params.position);
  const text = analysis.text;
  const markdown =
    findingHover(analysis.result.findings, offset, analysis.locale) ??
    (analysis.language === 'sql' ? sqlKeywordHover(text, offset, analysis.locale) : typescriptHover(text, params.textDocument.uri, offset, analysis.locale));
  return markdown ? { contents: { kind: 'markdown', value: markdown } } : null;
}
