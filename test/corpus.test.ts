// Robustness on real code: the CLI over the whole SQL corpus (../shared/corpus, beside the
// repository) finishes without a crash, every finding lies inside its file, and every syntax error it
// reports is a statement PostgreSQL's parser really rejects.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { parseSync } from 'libpg-query';
import { splitStatements } from '../server/src/languages/sql/split';
import { TestClient, uriOf } from './helpers/lsp-client';
import { ready } from './helpers/lint';

const CORPUS = path.resolve('..', 'shared', 'corpus');
before(() => ready);

interface JsonFinding {
  file: string;
  rule: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

describe('corpus', { skip: existsSync(CORPUS) ? false : `no corpus at ${CORPUS}` }, () => {
  it('the CLI analyses all of corpus/sql without crashing; findings are in bounds; syntax errors are real', () => {
    const result = spawnSync(process.execPath, [path.resolve('dist/cli.js'), 'check', path.join(CORPUS, 'sql'), '--format', 'json'], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    assert.ok(result.status === 0 || result.status === 1, `exit ${result.status}: ${result.stderr}`);
    const findings: JsonFinding[] = JSON.parse(result.stdout).findings;
    assert.ok(findings.length > 0);
    const texts = new Map<string, string>();
    const textOf = (file: string) => {
      if (!texts.has(file)) texts.set(file, readFileSync(file, 'utf8'));
      return texts.get(file)!;
    };
    let syntaxErrors = 0;
    for (const finding of findings) {
      const lines = textOf(finding.file).split('\n');
      assert.ok(finding.line >= 1 && finding.endLine <= lines.length, `${finding.file}:${finding.line} out of bounds`);
      assert.ok(finding.column >= 1 && finding.column <= lines[finding.line - 1].length + 1, `${finding.file}:${finding.line}:${finding.column}`);
      if (finding.rule !== 'syntax-error') continue;
      syntaxErrors++;
      const text = textOf(finding.file);
      const offset = lines.slice(0, finding.line - 1).reduce((sum, line) => sum + line.length + 1, 0) + finding.column - 1;
      const span = splitStatements(text).find((candidate) => candidate.start <= offset && offset <= candidate.end);
      const statement = span ? text.slice(span.start, span.end) : '';
      assert.throws(() => parseSync(statement), `${finding.file}:${finding.line} reported a syntax error on a statement PostgreSQL accepts:\n${statement}`);
    }
    assert.ok(syntaxErrors > 0, 'the regression suite has deliberately invalid statements');
  });

  it('the CLI analyses all of corpus/ts without crashing, findings in bounds', () => {
    const result = spawnSync(process.execPath, [path.resolve('dist/cli.js'), 'check', path.join(CORPUS, 'ts'), '--format', 'json'], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    assert.ok(result.status === 0 || result.status === 1, `exit ${result.status}: ${result.stderr}`);
    for (const finding of JSON.parse(result.stdout).findings as JsonFinding[]) {
      const lines = readFileSync(finding.file, 'utf8').split('\n');
      assert.ok(finding.line >= 1 && finding.endLine <= lines.length, `${finding.file}:${finding.line} out of bounds`);
    }
  });

  it('the language server takes every corpus file as an open document: no crash, diagnostics in bounds', async () => {
    const client = new TestClient();
    await client.initialize();
    try {
      const files = listFiles(CORPUS).filter((file) => /\.(sql|ts)$/.test(file));
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        const diagnostics = await client.open(uriOf(file), text, file.endsWith('.sql') ? 'sql' : 'typescript');
        const lineCount = text.split(/\r\n|\r|\n/).length;
        for (const diagnostic of diagnostics) assert.ok(diagnostic.range.end.line < lineCount, `${file}: diagnostic on line ${diagnostic.range.end.line}`);
        void client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf(file) } });
      }
      assert.ok(files.length > 800);
      assert.equal(client.process.exitCode, null);
    } finally {
      client.process.kill();
    }
  });
});

function listFiles(directory: string, found: string[] = []): string[] {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const file = path.join(directory, entry.name);
    if (entry.isDirectory()) listFiles(file, found);
    else found.push(file);
  }
  return found;
}
