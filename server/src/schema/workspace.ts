// The schema facts of every .sql file of a workspace, kept per file so that a change re-reads one
// file. The model is rebuilt from the facts (in path order: migrations are named by timestamp) only
// when some file's facts actually changed.

import { createHash } from 'node:crypto';
import type { SqlDialectSetting } from '../core/config';
import { schemaFactsOfScript, type SchemaFact } from './facts';
import { SchemaModel } from './model';

export class WorkspaceSchema {
  private readonly factsByFile = new Map<string, { facts: SchemaFact[]; hash?: string }>();
  private cached: SchemaModel | undefined;
  private cachedFingerprint: string | undefined;
  /** Grows whenever some file's facts change. */
  generation = 0;

  /**
   * Identifies the facts the model is built from: equal fingerprints, equal models. Unlike the
   * generation it comes back to an earlier value when the facts do (an edit undone, a document closed
   * without saving), so analyses made with that model count as current again.
   */
  fingerprint(): string {
    if (this.cachedFingerprint === undefined) {
      const digest = createHash('sha1');
      for (const file of [...this.factsByFile.keys()].sort()) {
        const entry = this.factsByFile.get(file)!;
        if (entry.hash === undefined) {
          const factsDigest = createHash('sha1');
          for (const fact of entry.facts) factsDigest.update(`${factKey(fact)}\n`);
          entry.hash = factsDigest.digest('base64');
        }
        digest.update(`${file}\0${entry.hash}\0`);
      }
      this.cachedFingerprint = digest.digest('base64');
    }
    return this.cachedFingerprint;
  }

  get fileCount(): number {
    return this.factsByFile.size;
  }

  /** Reads a file's text (parsing its DDL) and records its facts; returns true when they changed. */
  updateFromText(file: string, text: string, dialect?: SqlDialectSetting): boolean {
    return this.updateFacts(file, schemaFactsOfScript(text, undefined, dialect));
  }

  /** Records a file's facts; returns true when they differ from what was known. */
  updateFacts(file: string, facts: SchemaFact[]): boolean {
    const known = this.factsByFile.get(file);
    // Facts of statements reused from the previous analysis are the same objects: only the others
    // (those of the edited statement) are compared by content, so typing in a 50,000-line file does
    // not serialise all of its facts.
    if (known && sameFacts(known.facts, facts)) {
      known.facts = facts;
      return false;
    }
    if (!facts.length && !known) return false;
    if (facts.length) this.factsByFile.set(file, { facts });
    else this.factsByFile.delete(file);
    this.changed();
    return true;
  }

  remove(file: string): boolean {
    const removed = this.factsByFile.delete(file);
    if (removed) this.changed();
    return removed;
  }

  private changed(): void {
    this.cached = undefined;
    this.cachedFingerprint = undefined;
    this.generation++;
  }

  model(): SchemaModel {
    if (!this.cached) {
      const files = [...this.factsByFile.keys()].sort();
      this.cached = SchemaModel.fromFacts(files.map((file) => this.factsByFile.get(file)!.facts));
    }
    return this.cached;
  }

  /** The model as seen by a document whose current text states `facts` (an unsaved edit included). */
  modelFor(file: string, facts: SchemaFact[]): SchemaModel {
    this.updateFacts(file, facts);
    return this.model();
  }
}

/** Equal lists of facts: the same length, and each fact the same object or the same content. */
function sameFacts(known: SchemaFact[], facts: SchemaFact[]): boolean {
  if (known.length !== facts.length) return false;
  for (let index = 0; index < facts.length; index++) {
    if (known[index] !== facts[index] && factKey(known[index]) !== factKey(facts[index])) return false;
  }
  return true;
}

// A fact's content as text, serialised once per fact object (facts of reused statements are reused).
const factKeys = new WeakMap<SchemaFact, string>();

function factKey(fact: SchemaFact): string {
  let key = factKeys.get(fact);
  if (key === undefined) {
    key = JSON.stringify(fact);
    factKeys.set(fact, key);
  }
  return key;
}
