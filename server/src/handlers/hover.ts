// textDocument/hover: the documentation of a finding under the cursor, else of the SQL keyword (also
// inside SQL embedded in TypeScript), else of the TypeScript API under it.

import type { Hover, HoverParams } from 'vscode-languageserver/node';
import { findingHover, sqlKeywordHover } from '../hover-content';
import { typescriptHover } from '../hover-typescript';
import type { ServerState } from '../state';

export async function onHover(state: ServerState, params: HoverParams): Promise<Hover | null> {
  const document = state.documents.get(params.textDocument.uri);
  if (!document) return null;
  const analysis = await state.analyze(document);
  if (!analysis) return null;
  const offset = analysis.lines.offsetAt(params.position);
  const text = document.getText();
  const markdown =
    findingHover(analysis.result.findings, offset, analysis.locale) ??
    (analysis.language === 'sql' ? sqlKeywordHover(text, offset, analysis.locale) : typescriptHover(text, params.textDocument.uri, offset, analysis.locale));
  return markdown ? { contents: { kind: 'markdown', value: markdown } } : null;
}
