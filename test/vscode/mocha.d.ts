// The part of mocha's API the @vscode/test-electron suite uses (mocha ships no types, and the
// project does not depend on @types/mocha, whose globals would clash with node:test's).
declare module 'mocha' {
  interface Context {
    timeout(ms: number): this;
    skip(): never;
  }
  type Body = (this: Context) => void | Promise<unknown>;
  export function suite(title: string, body: (this: Context) => void): void;
  export function test(title: string, body: Body): void;
  export function suiteSetup(body: Body): void;
  export function suiteTeardown(body: Body): void;

  interface MochaOptions {
    ui?: 'bdd' | 'tdd';
    color?: boolean;
    timeout?: number;
    reporter?: string;
  }
  interface Runner {
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
  class Mocha {
    constructor(options?: MochaOptions);
    addFile(file: string): this;
    run(done?: (failures: number) => void): Runner;
  }
  export default Mocha;
}
