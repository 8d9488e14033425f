// armadilha check | rules | explain <id> | lsp — the command-line adapter over the analysis core.
// Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage or configuration errors.

import * as path from 'node:path';
import { checkFiles, checkStdin, type CheckResult } from './cli/check';
import { collectFiles, type InputProblem } from './cli/files';
import { analysedNothing, coverageLine, summarize } from './cli/coverage';
import { formatJson, formatSarif, formatText, type FileReport } from './cli/formats';
import { DiskProject } from './project/disk-project';
import { CONFIG_FILE_NAME, defaultSettings, mergeSettings, type Settings } from './config';
import { ConfigResolver, type ConfigFile, type ResolvedConfig } from './core/config-resolver';
import type { InputFile } from './cli/files';
import { ruleDocument } from './docs';
import { loadParser } from './languages/sql/parser';
import { languageOfPath } from './lint';
import { coreText, resolveLocale, type Locale } from './locale';
import { RULES, ruleById } from './rules';
import { startServer } from './server';
import { SERVER_VERSION } from './version';

const SEVERITY_RANK = { hint: 0, info: 1, warning: 2, error: 3 } as const;
type FailOn = keyof typeof SEVERITY_RANK | 'none';

class UsageError extends Error {}

interface Options {
  command: string;
  positional: string[];
  format: string;
  locale?: string;
  fix: boolean;
  stdin: boolean;
  stdinFilename?: string;
  failOn: FailOn;
  config?: string;
  help: boolean;
  verbose: boolean;
}

const HELP: Record<Locale, string> = {
  en: `armadilha ${SERVER_VERSION} — distributed-systems pitfalls in PostgreSQL SQL and TypeScript/JavaScript

Usage:
  armadilha check [paths or globs...]   analyse files (default: the current folder, honouring .gitignore)
      --format text|json|sarif          output format (default: text)
      --fix                             apply safe fixes in place
      --stdin --stdin-filename <name>   read one file from standard input (with --fix, the fixed text goes to stdout)
      --fail-on error|warning|info|hint|none   exit 1 when a finding is at or above this severity (default: warning)
      --verbose                         also list the files skipped because they are not PostgreSQL (MySQL, templates)
      --config <file>                   configuration file for every file (default: the nearest ${CONFIG_FILE_NAME} above each file)
      --locale en|pt-BR                 language of messages (default: from LANG)
  armadilha rules [--format text|json]  list the rules
  armadilha explain <rule-id>           print a rule's documentation
  armadilha lsp --stdio                 run the language server for any editor

Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 usage or configuration error, or nothing analysed.`,
  'pt-BR': `armadilha ${SERVER_VERSION} — armadilhas de sistemas distribuídos em SQL PostgreSQL e TypeScript/JavaScript

Uso:
  armadilha check [caminhos ou globs...] analisa arquivos (padrão: a pasta atual, respeitando o .gitignore)
      --format text|json|sarif          formato da saída (padrão: text)
      --fix                             aplica as correções seguras nos arquivos
      --stdin --stdin-filename <nome>   lê um arquivo da entrada padrão (com --fix, o texto corrigido vai para a saída padrão)
      --fail-on error|warning|info|hint|none   sai com 1 quando há achado com essa severidade ou maior (padrão: warning)
      --verbose                         lista também os arquivos ignorados por não serem PostgreSQL (MySQL, templates)
      --config <arquivo>                arquivo de configuração para todos os arquivos (padrão: o ${CONFIG_FILE_NAME} mais próximo acima de cada arquivo)
      --locale en|pt-BR                 idioma das mensagens (padrão: pelo LANG)
  armadilha rules [--format text|json]  lista as regras
  armadilha explain <id-da-regra>       mostra a documentação de uma regra
  armadilha lsp --stdio                 roda o servidor de linguagem para qualquer editor

Códigos de saída: 0 nenhum achado com severidade --fail-on ou maior, 1 achados, 2 erro de uso ou de configuração, ou nada analisado.`,
};

export async function main(argv: string[]): Promise<number> {
  let options: Options;
  const envLocale = resolveLocale(undefined, process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG);
  try {
    options = parseArguments(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP[envLocale]}\n`);
    return 2;
  }
  if (options.command === 'lsp') {
    // The server takes over the process; --stdio (or --node-ipc, --socket) picks the transport.
    startServer();
    return -1;
  }
  if (options.help || !options.command) {
    process.stdout.write(`${HELP[resolveLocale(options.locale, envLocale)]}\n`);
    return options.help ? 0 : 2;
  }
  if (options.command === 'version' || options.command === '--version') {
    process.stdout.write(`${SERVER_VERSION}\n`);
    return 0;
  }
  const cwd = process.cwd();
  let configurations: Configurations;
  try {
    configurations = loadConfigurations(options, cwd);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const settings = configurations.forFolder(cwd).settings;
  const locale = resolveLocale(options.locale ?? (settings.locale !== 'auto' ? settings.locale : undefined), envLocale);
  // A broken configuration file (for the current folder, or any file checked) fails the run: CI must not pass on defaults.
  if (reportConfigProblems(configurations, options, cwd)) return 2;
  switch (options.command) {
    case 'rules':
      return listRules(options, locale);
    case 'explain':
      return explain(options, locale);
    case 'check':
      return check(options, configurations, locale, cwd);
    default:
      process.stderr.write(`${coreText(locale, 'cliUsage')}:\n${HELP[locale]}\n`);
      return 2;
  }
}

function parseArguments(argv: string[]): Options {
  const options: Options = { command: '', positional: [], format: 'text', fix: false, stdin: false, failOn: 'warning', help: false, verbose: false };
  const value = (index: number, flag: string): string => {
    const next = argv[index + 1];
    if (next === undefined || next.startsWith('--')) throw new UsageError(`Missing value for ${flag}`);
    return next;
  };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    const [flag, inline] = argument.startsWith('--') && argument.includes('=') ? [argument.slice(0, argument.indexOf('=')), argument.slice(argument.indexOf('=') + 1)] : [argument, undefined];
    const take = () => inline ?? value(index++, flag);
    switch (flag) {
      case '--format':
        options.format = take();
        break;
      case '--locale':
        options.locale = take();
        break;
      case '--fix':
        options.fix = true;
        break;
      case '--stdin':
        options.stdin = true;
        break;
      case '--stdin-filename':
        options.stdinFilename = take();
        break;
      case '--fail-on':
        options.failOn = take() as FailOn;
        break;
      case '--config':
        options.config = take();
        break;
      case '--verbose':
        options.verbose = true;
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      case '--version':
      case '-v':
        options.command ||= 'version';
        break;
      case '--stdio':
      case '--node-ipc':
        break;
      default:
        if (argument.startsWith('--') && options.command !== 'lsp') throw new UsageError(`Unknown option ${argument}`);
        if (!options.command) options.command = argument;
        else options.positional.push(argument);
    }
  }
  if (!['text', 'json', 'sarif'].includes(options.format)) throw new UsageError(`--format must be text, json or sarif`);
  if (options.locale && !['en', 'pt-BR', 'auto'].includes(options.locale)) throw new UsageError(`--locale must be en or pt-BR`);
  if (!['error', 'warning', 'info', 'hint', 'none'].includes(options.failOn)) throw new UsageError(`--fail-on must be error, warning, info, hint or none`);
  if (options.stdinFilename && !options.stdin) throw new UsageError('--stdin-filename needs --stdin');
  return options;
}

/**
 * Where each file's settings come from: with --config, that file for every file; otherwise the
 * nearest armadilha.config.json above each file, up to the repository root, as the editor finds it
 * (core/config-resolver.ts). Settings are merged once per configuration, so name lists keep their identity.
 */
interface Configurations {
  resolver: ConfigResolver;
  forFile(file: string): { settings: Settings; base: string };
  forFolder(folder: string): { settings: Settings; base: string };
}

function loadConfigurations(options: Options, cwd: string): Configurations {
  const resolver = new ConfigResolver(RULES);
  const defaults = defaultSettings(RULES);
  let fixed: ResolvedConfig | undefined;
  if (options.config) {
    const file = path.resolve(cwd, options.config);
    fixed = resolver.configFile(file);
    if (!fixed) throw new Error(`Cannot read configuration file ${file}`);
  }
  const merged = new Map<ResolvedConfig | undefined, { settings: Settings; base: string }>();
  const of = (config: ResolvedConfig | undefined) => {
    let entry = merged.get(config);
    if (!entry) {
      entry = { settings: mergeSettings(defaults, config?.settings), base: config?.base ?? cwd };
      merged.set(config, entry);
    }
    return entry;
  };
  return {
    resolver,
    forFile: (file) => of(fixed ?? resolver.configFor(file)),
    forFolder: (folder) => of(fixed ?? resolver.configFor(path.join(folder, CONFIG_FILE_NAME))),
  };
}

/** Prints the problems of every configuration file read so far; true when there were any. */
function reportConfigProblems(configurations: Configurations, options: Options, cwd: string): boolean {
  const broken = configurations.resolver.loaded().filter((config: ConfigFile) => config.problems.length);
  if (!broken.length) return false;
  const locale = resolveLocale(options.locale, process.env.LANG);
  for (const config of broken) {
    for (const problem of config.problems) process.stderr.write(`${path.relative(cwd, config.file) || config.file}: ${coreText(locale, problem.key, problem.data)}\n`);
  }
  return true;
}

async function check(options: Options, configurations: Configurations, locale: Locale, cwd: string): Promise<number> {
  quietOnBrokenPipe();
  await loadParser();
  let reports: FileReport[];
  let summary: CheckResult | undefined;
  const problems: InputProblem[] = [];
  const notes: string[] = [];
  let excluded: string[] = [];
  if (options.stdin) {
    const fileName = options.stdinFilename ?? 'stdin.sql';
    const { settings } = configurations.forFile(path.resolve(cwd, fileName));
    if (reportConfigProblems(configurations, options, cwd)) return 2;
    if (!languageOfPath(fileName)) {
      process.stderr.write(`${coreText(locale, 'cliStdinUnsupported', { path: fileName })}\n`);
      return 2;
    }
    const input = await readStandardInput(settings.maxFileSizeMb * 1024 * 1024);
    const checked = checkStdin(input.bytes, fileName, settings, locale, options.fix, input.truncated);
    reports = [checked.report];
    if (checked.note) notes.push(checked.note);
    if (options.fix) {
      process.stdout.write(checked.output);
      if (input.truncated) await copyRestOfStandardInput();
    } else if (input.truncated) process.stdin.destroy();
  } else {
    const collected = collectFiles(options.positional, cwd, {
      analyseGeneratedCode: (absolute, folder) => configurations.forFile(folder ? path.join(absolute, CONFIG_FILE_NAME) : absolute).settings.analyseGeneratedCode,
    });
    for (const file of collected.files) configurations.forFile(file.absolute);
    if (reportConfigProblems(configurations, options, cwd)) return 2;
    const settingsFor = (file: InputFile) => configurations.forFile(file.absolute);
    const { settings, base } = configurations.forFolder(cwd);
    summary = checkFiles(collected.files, settings, locale, options.fix, { cwd, base, project: new DiskProject(), settingsFor });
    reports = summary.reports;
    problems.push(...collected.problems, ...summary.problems);
    excluded = [...collected.excluded, ...summary.excluded];
    notes.push(...summary.notes);
  }
  const coverage = summarize(reports);
  const output =
    options.format === 'json'
      ? formatJson(reports, coverage)
      : options.format === 'sarif'
        ? formatSarif(reports, locale, coverage)
        : formatText(reports, locale, !!process.stdout.isTTY && !process.env.NO_COLOR, { summary: coverage, verbose: options.verbose });
  (options.stdin && options.fix ? process.stderr : process.stdout).write(`${output}\n`);
  for (const note of notes) process.stderr.write(`${note}\n`);
  if (excluded.length) process.stderr.write(`${coreText(locale, 'cliExcluded', { count: excluded.length, example: excluded[0] })}\n`);
  if (summary?.fixesApplied) process.stderr.write(`${coreText(locale, 'cliFixed', { count: summary.fixesApplied, files: summary.filesFixed })}\n`);
  // Files that could not be read, and patterns that matched nothing: CI must not pass on them.
  for (const problem of problems) process.stderr.write(`${coreText(locale, INPUT_PROBLEM_TEXT[problem.kind], { path: problem.path, detail: problem.detail ?? '' })}\n`);
  if (problems.length) return 2;
  if (analysedNothing(coverage)) {
    // Passing in silence would let a CI job pointed at the wrong folder (or at MySQL only) go green.
    const paths = options.stdin ? (options.stdinFilename ?? 'stdin') : options.positional.join(' ') || '.';
    process.stderr.write(`${coreText(locale, 'cliNothingAnalysed', { paths, detail: coverageLine(coverage, locale, true) })}\n`);
    return 2;
  }
  if (options.failOn === 'none') return 0;
  const threshold = SEVERITY_RANK[options.failOn];
  return reports.some((report) => report.findings.some((finding) => SEVERITY_RANK[finding.severity] >= threshold)) ? 1 : 0;
}

const INPUT_PROBLEM_TEXT = {
  missing: 'cliInputMissing',
  unmatched: 'cliInputUnmatched',
  unreadable: 'cliInputUnreadable',
  'not-regular': 'cliInputNotRegular',
  unsupported: 'cliInputUnsupported',
  'bad-pattern': 'cliInputBadPattern',
} as const;

// `armadilha check | head`: once the reader has gone, output is dropped without a stack trace and the
// run ends with its own exit code.
function quietOnBrokenPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') process.exitCode = 2;
    });
  }
}

// Standard input up to the size limit: a larger input (or an endless one) is not read to its end.
function readStandardInput(limitBytes: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const finish = (truncated: boolean) => {
      process.stdin.off('data', onData).off('end', onEnd).off('error', reject);
      resolve({ bytes: Buffer.concat(chunks), truncated });
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length > limitBytes) {
        process.stdin.pause();
        finish(true);
      }
    };
    const onEnd = () => finish(false);
    process.stdin.on('data', onData).on('end', onEnd).on('error', reject);
  });
}

// --stdin --fix on an input too large to analyse: the output is the input, unchanged, to its end.
function copyRestOfStandardInput(): Promise<void> {
  return new Promise((resolve) => {
    process.stdin.on('end', resolve).on('error', () => resolve());
    process.stdin.pipe(process.stdout);
    process.stdin.resume();
  });
}

function listRules(options: Options, locale: Locale): number {
  if (options.format === 'json') {
    const rules = RULES.map((rule) => ({
      id: rule.id,
      severity: rule.severity,
      languages: rule.languages,
      fix: rule.fix ?? null,
      builtIn: !!rule.builtIn,
      summary: rule.text[locale].summary,
      skill: rule.skill,
    }));
    process.stdout.write(`${JSON.stringify({ version: 1, rules }, null, 2)}\n`);
    return 0;
  }
  const width = Math.max(...RULES.map((rule) => rule.id.length));
  for (const rule of RULES) {
    const fix = rule.fix === 'safe' ? 'fix' : rule.fix === 'unsafe' ? 'fix?' : '   ';
    process.stdout.write(`${rule.id.padEnd(width)}  ${rule.severity.padEnd(7)}  ${fix.padEnd(4)}  ${rule.languages.join(',').padEnd(6)}  ${rule.text[locale].summary}\n`);
  }
  return 0;
}

function explain(options: Options, locale: Locale): number {
  const id = options.positional[0];
  const rule = id ? ruleById(id) : undefined;
  if (!rule) {
    process.stderr.write(`${coreText(locale, 'cliUnknownRule', { rule: id ?? '' })}\n`);
    return 2;
  }
  process.stdout.write(`${ruleDocument(rule, locale)}\n`);
  return 0;
}
