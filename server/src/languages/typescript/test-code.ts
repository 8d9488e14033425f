// Whether a TypeScript document is test code: its path says so (*.test.ts, *.spec.ts, *.e2e.ts,
// vitest.*.ts, __tests__/, e2e/, test-utils/), it imports a test framework or assertion library, or it
// registers tests at its top level (describe/it/test, Deno.test). Test code runs under the runner's
// own time limits and against services it starts itself, so some application-side rules (timeouts,
// retry pacing) do not apply there.

import { ts } from './project';
import { dottedName, type TsModel } from './ts-file';
import type { RuleContext } from '../../core/rule';

const TEST_MODULES =
  /^(node:test|bun:test|(npm:)?(vitest|jest|@jest\/globals|mocha|chai|ava|tap|uvu|@playwright\/test|supertest|msw)(@[^/]*)?)(\/|$)|^(jsr:|npm:)?@std\/(testing|assert|expect)(@|\/|$)|deno\.land\/(std|x)[^'"]*\/(testing|assert)/;
// Only names that mean tests wherever they appear: a plain `test/` or `tests/` folder may also be
// where a whole workspace lives.
const TEST_PATH =
  /[._-](test|spec|e2e)\.[cm]?[jt]sx?$|(^|[\\/])(__tests__|__mocks__|e2e|test[-_]?(utils|helpers))[\\/]|(^|[\\/])(vitest|jest|playwright)\.[^\\/]*$/i;
const TEST_REGISTRATIONS = new Set(['describe', 'it', 'test', 'suite', 'Deno']);

export function isTestCode(context: RuleContext): boolean {
  return context.memo('isTestCode', () => !!context.typescript && isTestModel(context.typescript));
}

export function isTestModel(model: TsModel): boolean {
  if (TEST_PATH.test(model.fileName)) return true;
  for (const binding of model.imports.values()) if (TEST_MODULES.test(binding.module)) return true;
  for (const statement of model.node.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && TEST_MODULES.test(statement.moduleSpecifier.text)) return true;
    if (!ts.isExpressionStatement(statement) || !ts.isCallExpression(statement.expression)) continue;
    const callee = dottedName(statement.expression.expression) ?? '';
    const root = callee.split('.')[0];
    if (TEST_REGISTRATIONS.has(root) && (root !== 'Deno' || callee === 'Deno.test')) return true;
  }
  return false;
}
