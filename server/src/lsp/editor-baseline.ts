// The baseline in the editor: findings that the nearest armadilha-baseline.json records are shown at
// most at the level of the setting baselineLevel (a hint by default, `off` hides them), so an adopted
// codebase's old findings stay visible without drowning new ones. The language server calls apply()
// on each analysis (state.ts) and forget() when a baseline file changes (lsp/handlers/workspace-files.ts).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RuleLevel } from '../core/config';
import type { Finding } from '../core/lint';
import type { Severity } from '../core/rule';
import { BASELINE_FILE_NAME, findingFingerprint, matchFindings, parseBaseline, type Baseline } from '../baseline/baseline';

const RANK: Record<Severity, number> = { hint: 0, info: 1, warning: 2, error: 3 };

export class EditorBaseline {
  /** Folder → the baseline file governing it (null: none up to the root). */
  private readonly nearest = new Map<string, string | null>();
  private readonly files = new Map<string, { stamp: string; baseline: Baseline | undefined }>();

  /**
   * A document's findings, those its baseline records lowered to `level` (dropped at 'off'). `root`
   * is the workspace folder: baseline files are looked for from the document's folder up to it.
   */
  apply(file: string | undefined, root: string | undefined, text: string, findings: Finding[], level: RuleLevel): Finding[] {
    if (!file || !findings.length || level === 'error') return findings;
    const baselineFile = this.baselineFileFor(path.dirname(file), root ?? path.dirname(file));
    const baseline = baselineFile ? this.read(baselineFile) : undefined;
    const entries = baseline?.findings[path.relative(path.dirname(baselineFile!), file).split(path.sep).join('/')];
    if (!entries) return findings;
    const recorded = new Set(
      matchFindings(
        entries,
        findings.map((finding) => ({ finding, fingerprint: findingFingerprint(text, finding) })),
      ).recorded.map((each) => each.finding),
    );
    const lowered: Finding[] = [];
    for (const finding of findings) {
      if (!recorded.has(finding)) lowered.push(finding);
      else if (level !== 'off') lowered.push(RANK[finding.severity] > RANK[level] ? { ...finding, severity: level } : finding);
    }
    return lowered;
  }

  /** A baseline file was created, changed or deleted. */
  forget(): void {
    this.nearest.clear();
    this.files.clear();
  }

  private baselineFileFor(folder: string, root: string): string | undefined {
    const known = this.nearest.get(folder);
    if (known !== undefined) return known ?? undefined;
    const candidate = path.join(folder, BASELINE_FILE_NAME);
    let found: string | null;
    if (fs.existsSync(candidate)) found = candidate;
    else if (folder === root || path.dirname(folder) === folder || !folder.startsWith(root)) found = null;
    else found = this.baselineFileFor(path.dirname(folder), root) ?? null;
    this.nearest.set(folder, found);
    return found ?? undefined;
  }

  // Read again when the file's size or modification time changed (editors without file watching).
  private read(file: string): Baseline | undefined {
    let stamp: string;
    try {
      const stat = fs.statSync(file);
      stamp = `${stat.size}:${stat.mtimeMs}`;
    } catch {
      return undefined;
    }
    const known = this.files.get(file);
    if (known?.stamp === stamp) return known.baseline;
    let baseline: Baseline | undefined;
    try {
      baseline = parseBaseline(fs.readFileSync(file, 'utf8'));
    } catch {
      baseline = undefined; // not a baseline: nothing is lowered
    }
    this.files.set(file, { stamp, baseline });
    return baseline;
  }
}
