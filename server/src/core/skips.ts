// The one skipped-file finding a file gets instead of an analysis, and how loud it is. Why a file
// was not analysed decides: 'unanalysable', it should have been analysed but could not be (too
// large, not text, nested too deep), so its findings are hidden: the rule's level, warning by
// default, which CI notices; 'excluded', it was left out on purpose (vendored or generated code,
// another SQL dialect): information at most. Setting the rule to a lower level or off lowers or
// silences both.

import type { Settings } from './config';
import { docsUrl } from './docs';
import type { GeneratedCode } from './generated-code';
import type { Finding } from './lint';
import { coreText, format, type Locale } from './locale';
import type { Severity } from './rule';
import { ruleById } from '../rules';

export type SkipKind = 'unanalysable' | 'excluded';

/**
 * The skipped-file finding of a file, on the line of `start` (the marker of another SQL dialect) or on
 * its first line; undefined when the rule is off.
 */
export function skippedFileFinding(reason: string, kind: SkipKind, text: string, locale: Locale, settings: Settings, start = 0): Finding | undefined {
  const rule = ruleById('skipped-file')!;
  const level = settings.rules[rule.id] ?? rule.severity;
  if (level === 'off') return undefined;
  const rest = text.slice(start, start + 200);
  const newline = rest.search(/[\r\n]/);
  const end = start + (newline < 0 ? rest.length : newline);
  return {
    ruleId: rule.id,
    severity: kind === 'excluded' && SEVERITY_RANK[level] > SEVERITY_RANK.info ? 'info' : level,
    start,
    end,
    message: format(rule.text[locale].message, { reason }),
    fixes: [],
    anchor: start,
    docsUrl: docsUrl(rule.id, locale),
  };
}

/** The skipped-file reason for code the user does not own, saying how to analyse it anyway. */
export function generatedReason(generated: GeneratedCode, locale: Locale): string {
  const why = coreText(locale, GENERATED_WHY[generated.kind], { evidence: generated.evidence });
  return coreText(locale, 'fileGenerated', { why });
}

const GENERATED_WHY = {
  vendored: 'generatedVendored',
  'build-output': 'generatedBuildOutput',
  minified: 'generatedMinified',
  generated: 'generatedHeader',
} as const;
const SEVERITY_RANK: Record<Severity, number> = { hint: 0, info: 1, warning: 2, error: 3 };
