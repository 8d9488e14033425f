// The project around a file, read from the disk (project/disk-project.ts): clients made by factory
// functions, in the file or in another module (relative imports, tsconfig paths with `extends`,
// monorepo packages), are known by what they are.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultSettings } from '../server/src/core/config';
import { lint } from '../server/src/core/lint';
import { DiskProject } from '../server/src/project/disk-project';
import { RULES } from '../server/src/rules';
import { lintText, ready } from './helpers/lint';

before(() => ready);
const folders: string[] = [];
after(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

function folderWith(files: Record<string, string>): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'armadilha-project-'));
  folders.push(folder);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    writeFileSync(path.join(folder, name), text);
  }
  return folder;
}

const CHARGE =
  "export async function charge(orderId: string) {\n  return stripe.paymentIntents.create({ amount: 100, currency: 'brl', metadata: { orderId } });\n}";
const idempotency = (findings: ReturnType<typeof lintText>) => findings.filter((finding) => finding.ruleId === 'require-idempotency-key').length;

describe('clients made by factories', () => {
  it('in the same file: a function that returns new Stripe(…)', () => {
    const code = `import Stripe from 'stripe';\nexport function stripeClient() { return new Stripe(process.env.KEY!); }\nconst stripe = stripeClient();\n${CHARGE}`;
    assert.equal(idempotency(lintText(code, { language: 'typescript', fileName: 'pay.ts' })), 1);
    const direct = `import Stripe from 'stripe';\nconst client = () => new Stripe('k');\nexport const pay = (id: string) => client().refunds.create({ payment_intent: id });`;
    assert.equal(idempotency(lintText(direct, { language: 'typescript', fileName: 'pay.ts' })), 1);
  });

  it('in another module: relative, through a tsconfig alias declared in an extended tsconfig, and from a monorepo package', () => {
    const factory =
      "import Stripe from 'stripe';\nexport function stripeClient() {\n  return new Stripe(process.env.STRIPE_KEY ?? '');\n}\nexport const stripeApp = globalThis.cached ?? stripeClient();";
    const folder = folderWith({
      'package.json': JSON.stringify({ private: true, workspaces: ['apps/*', 'packages/*'] }),
      'tsconfig.base.json': '{\n  // shared\n  "compilerOptions": { "baseUrl": ".", "paths": { "@/lib/*": ["apps/web/lib/*"] }, },\n}',
      'apps/web/tsconfig.json': '{ "extends": "../../tsconfig.base.json" }',
      'apps/web/lib/stripe.ts': factory,
      'packages/payments/package.json': JSON.stringify({ name: '@acme/payments', main: 'src/index.ts' }),
      'packages/payments/src/index.ts': "export * from './client';",
      'packages/payments/src/client.ts': factory,
    });
    const file = path.join(folder, 'apps', 'web', 'app', 'route.ts');
    const project = new DiskProject();
    const count = (importLine: string, name: string) => {
      const code = `${importLine}\nexport async function POST(orderId: string) {\n  await ${name}.paymentIntents.create({ amount: 1, currency: 'usd', metadata: { orderId } });\n}`;
      return idempotency(lint({ text: code, language: 'typescript', fileName: file, settings: defaultSettings(RULES), locale: 'en', project }).findings);
    };
    assert.equal(count("import { stripeApp } from '../lib/stripe';", 'stripeApp'), 1);
    assert.equal(count("import { stripeClient } from '@/lib/stripe';", 'stripeClient()'), 1);
    assert.equal(count("import { stripeApp } from '@acme/payments';", 'stripeApp'), 1);
    assert.equal(count("import { stripeApp } from './nowhere';", 'stripeApp'), 0, 'an unknown import is not a Stripe client');
  });
});

describe('broken input inside literals', () => {
  it('an escape past U+10FFFF or without its closing brace is read on, not a skipped file', () => {
    const code = "export const names = [String.raw`Acme\\u{FFFFFFF}Corp`, `\\u{200bCorp`, 'select * from t'];";
    assert.deepEqual(lintText(code, { language: 'typescript', fileName: 'name.test.ts' }), []);
  });
});
