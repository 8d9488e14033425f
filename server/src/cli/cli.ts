// armadilha check | rules | explain <id> | lsp — the command-line adapter over the analysis core.
// Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage or configuration errors.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyBaseline, defaultBaselinePath, readBaselineFile, type BaselineMode } from './baseline';
import { DEFAULT_CACHE_NAME, replayFile, RunInputs, runKey, saveRun, stampOf } from './replay';
import { collectFiles } from './files';
import { isCommit, type ChangedMode } from './changed';
import { checkStdin } from './check';
import { formatGithub, formatGitlab, repositoryRoot } from './ci-formats';
import type { InputProblem } from './files';
import { analysedNothing, coverageLine, summarize, type RunSummary } from './coverage';
import { formatJson, formatSarif, formatText, type FileReport } from './formats';
import { defaultJobs, runCheck, type RunResult } from './run';
import { BASELINE_FILE_NAME } from '../baseline/baseline';
import { CONFIG_FILE_NAME, defaultSettings, mergeSettings, type Settings } from '../core/config';
import { ConfigResolver, type ConfigFile, type ResolvedConfig } from '../core/config-resolver';
import { ruleDocument } from '../core/docs';
import { loadParser } from '../languages/sql/parser';
import { languageOfPath } from '../core/lint';
import { coreText, resolveLocale, type Locale } from '../core/locale';
import { RULES, ruleById } from '../rules';
import type * as ServerModule from '../lsp/server';
import { SERVER_VERSION } from '../core/version';

const SEVERITY_RANK = { hint: 0, info: 1, warning: 2, error: 3 } as const;
const FORMATS = ['text', 'json', 'sarif', 'github', 'gitlab'];
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
  /** --changed [<ref>]: the ref, or a word after --changed that may be a ref or a path (decided in check). */
  changed?: { ref?: string; candidate?: string };
  staged: boolean;
  cache: boolean;
  cacheLocation?: string;
  jobs?: number;
  baseline?: string;
  noBaseline: boolean;
  updateBaseline: boolean;
  pruneBaseline: boolean;
}

const HELP: Record<Locale, string> = {
  en: `armadilha ${SERVER_VERSION} — distributed-systems pitfalls in PostgreSQL SQL and TypeScript/JavaScript

Usage:
  armadilha check [paths or globs...]   analyse files (default: the current folder, honouring .gitignore)
      --format text|json|sarif|github|gitlab   output format (default: text; github: annotations,
                                        gitlab: Code Quality report)
      --fix                             apply safe fixes in place
      --changed [<git ref>]             only files changed since <ref> (its merge base; default: HEAD),
                                        untracked ones included; the schema still comes from every migration
      --staged                          only files staged for commit (for a pre-commit hook)
      --update-baseline                 record every finding in ${BASELINE_FILE_NAME} as accepted
      --prune-baseline                  drop the recorded findings that no longer occur
      --baseline <file> | --no-baseline  the baseline file (default: the nearest ${BASELINE_FILE_NAME})
      --cache [--cache-location <path>] reuse the results of unchanged files (default: ${DEFAULT_CACHE_NAME})
      --jobs <n>                        worker threads (default: from the cores; 1 below 4 cores)
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
      --format text|json|sarif|github|gitlab   formato da saída (padrão: text; github: anotações,
                                        gitlab: relatório de Code Quality)
      --fix                             aplica as correções seguras nos arquivos
      --changed [<ref git>]             só arquivos alterados desde <ref> (a base do merge; padrão: HEAD),
                                        inclusive os não rastreados; o schema ainda vem de todas as migrations
      --staged                          só arquivos no stage para commit (para um hook de pre-commit)
      --update-baseline                 registra todos os achados em ${BASELINE_FILE_NAME} como aceitos
      --prune-baseline                  remove os achados registrados que não ocorrem mais
      --baseline <arquivo> | --no-baseline  o arquivo de baseline (padrão: o ${BASELINE_FILE_NAME} mais próximo)
      --cache [--cache-location <caminho>] reaproveita os resultados de arquivos inalterados (padrão: ${DEFAULT_CACHE_NAME})
      --jobs <n>                        threads de trabalho (padrão: pelos núcleos; 1 abaixo de 4 núcleos)
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
    // Required here, not imported: the language server's modules are not loaded for `check`.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, see above
    (require('../lsp/server') as typeof ServerModule).startServer();
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
  // What a replayable run reads is noted from before it reads its configuration (cli/replay.ts).
  let replay: { argv: string[]; inputs: RunInputs } | undefined;
  if (options.command === 'check' && !options.verbose && replayFile(argv)) {
    const inputs = new RunInputs();
    inputs.folderAndAbove(cwd);
    for (const file of [options.config, options.baseline]) if (file) inputs.file(path.resolve(cwd, file), stampOf(path.resolve(cwd, file)));
    replay = { argv, inputs };
  }
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
      return check(options, configurations, locale, cwd, replay);
    default:
      process.stderr.write(`${coreText(locale, 'cliUsage')}:\n${HELP[locale]}\n`);
      return 2;
  }
}

function parseArguments(argv: string[]): Options {
  const options: Options = {
    command: '',
    positional: [],
    format: 'text',
    fix: false,
    stdin: false,
    failOn: 'warning',
    help: false,
    verbose: false,
    staged: false,
    cache: false,
    noBaseline: false,
    updateBaseline: false,
    pruneBaseline: false,
  };
  const value = (index: number, flag: string): string => {
    const next = argv[index + 1];
    if (next === undefined || next.startsWith('--')) throw new UsageError(`Missing value for ${flag}`);
    return next;
  };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    const [flag, inline] =
      argument.startsWith('--') && argument.includes('=')
        ? [argument.slice(0, argument.indexOf('=')), argument.slice(argument.indexOf('=') + 1)]
        : [argument, undefined];
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
      case '--changed': {
        // The ref is optional: a following word that is not an option may be a ref or a path.
        const next = argv[index + 1];
        if (inline !== undefined) options.changed = { ref: inline };
        else if (next !== undefined && !next.startsWith('-')) {
          options.changed = { candidate: next };
          options.positional.push(argv[++index]);
        } else options.changed = {};
        break;
      }
      case '--staged':
        options.staged = true;
        break;
      case '--cache':
        options.cache = true;
        break;
      case '--cache-location':
        options.cacheLocation = take();
        options.cache = true;
        break;
      case '--jobs': {
        const jobs = Number(take());
        if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError('--jobs must be a whole number, 1 or more');
        options.jobs = jobs;
        break;
      }
      case '--baseline':
        options.baseline = take();
        break;
      case '--no-baseline':
        options.noBaseline = true;
        break;
      case '--update-baseline':
        options.updateBaseline = true;
        break;
      case '--prune-baseline':
        options.pruneBaseline = true;
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
  if (!FORMATS.includes(options.format)) throw new UsageError(`--format must be text, json, sarif, github or gitlab`);
  if (options.locale && !['en', 'pt-BR', 'auto'].includes(options.locale)) throw new UsageError(`--locale must be en or pt-BR`);
  if (!['error', 'warning', 'info', 'hint', 'none'].includes(options.failOn)) throw new UsageError(`--fail-on must be error, warning, info, hint or none`);
  if (options.stdinFilename && !options.stdin) throw new UsageError('--stdin-filename needs --stdin');
  if (options.changed && options.staged) throw new UsageError('--changed and --staged cannot be used together');
  if (options.updateBaseline && options.pruneBaseline) throw new UsageError('--update-baseline and --prune-baseline cannot be used together');
  if (options.noBaseline && (options.updateBaseline || options.pruneBaseline || options.baseline))
    throw new UsageError('--no-baseline cannot be used with another baseline option');
  if (options.stdin && (options.changed || options.staged || options.updateBaseline || options.pruneBaseline))
    throw new UsageError('--stdin cannot be used with --changed, --staged, --update-baseline or --prune-baseline');
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
    for (const problem of config.problems)
      process.stderr.write(`${path.relative(cwd, config.file) || config.file}: ${coreText(locale, problem.key, problem.data)}\n`);
  }
  return true;
}

/** What `check` printed, kept for replaying the run (cli/replay.ts). */
class Transcript {
  stdout = '';
  stderr = '';

  out(text: string): void {
    this.stdout += text;
    process.stdout.write(text);
  }

  err(text: string): void {
    this.stderr += text;
    process.stderr.write(text);
  }
}

async function check(
  options: Options,
  configurations: Configurations,
  locale: Locale,
  cwd: string,
  replay?: { argv: string[]; inputs: RunInputs },
): Promise<number> {
  quietOnBrokenPipe();
  const transcript = new Transcript();
  const outcome = await checkAndReport(options, configurations, locale, cwd, transcript, replay?.inputs);
  // A run over SQL files only, all read with stable stats, is replayed next time if nothing it read changed.
  const { run } = outcome;
  if (replay && replay.inputs.replayable && outcome.code !== 2 && run?.cache && run.sqlOnly && bundled()) {
    try {
      saveRun(`${run.cache.location}.run`, runKey(replay.argv, __filename, path.join(__dirname, 'cli.js')), replay.inputs, {
        stdout: transcript.stdout,
        stderr: transcript.stderr,
        exitCode: outcome.code,
      });
    } catch {
      // not replayed next time; the cache itself was written (or said why not)
    }
  }
  return outcome.code;
}

async function checkAndReport(
  options: Options,
  configurations: Configurations,
  locale: Locale,
  cwd: string,
  print: Transcript,
  inputs?: RunInputs,
): Promise<{ code: number; run?: RunResult & { sqlOnly: boolean } }> {
  let reports: FileReport[];
  let run: (RunResult & { sqlOnly: boolean }) | undefined;
  const problems: InputProblem[] = [];
  const notes: string[] = [];
  let excluded: string[] = [];
  let fixed: { count: number; files: number } | undefined;
  const changed = changedMode(options, cwd);
  if (options.stdin) {
    const fileName = options.stdinFilename ?? 'stdin.sql';
    const { settings } = configurations.forFile(path.resolve(cwd, fileName));
    if (reportConfigProblems(configurations, options, cwd)) return { code: 2 };
    if (!languageOfPath(fileName)) {
      print.err(`${coreText(locale, 'cliStdinUnsupported', { path: fileName })}\n`);
      return { code: 2 };
    }
    await loadParser();
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
      analyseGeneratedCode: (absolute, folder) =>
        configurations.forFile(folder ? path.join(absolute, CONFIG_FILE_NAME) : absolute).settings.analyseGeneratedCode,
      onFolder: inputs && ((folder) => inputs.folder(folder)),
      onAncestor: inputs && ((folder) => inputs.folderAndAbove(folder)),
    });
    for (const file of collected.files) configurations.forFile(file.absolute);
    if (reportConfigProblems(configurations, options, cwd)) return { code: 2 };
    // Every configuration file a file's settings came from (nearest, extended) decides whether a run replays.
    if (inputs) for (const config of configurations.resolver.loaded()) inputs.file(config.file, stampOf(config.file));
    const outcome = await runCheck({
      collected,
      cwd,
      settingsFor: (file) => configurations.forFile(file.absolute),
      locale,
      fix: options.fix,
      changed,
      cacheLocation: options.cache ? (options.cacheLocation ?? DEFAULT_CACHE_NAME) : undefined,
      jobs: options.jobs ?? defaultJobs(),
      jobsExplicit: options.jobs !== undefined,
      inputs,
    });
    if ('error' in outcome) {
      print.err(`${coreText(locale, 'cliChangedFailed', { option: options.staged ? '--staged' : '--changed', detail: outcome.error })}\n`);
      return { code: 2 };
    }
    run = { ...outcome, sqlOnly: collected.files.every((file) => languageOfPath(file.absolute) === 'sql') };
    reports = run.reports;
    problems.push(...run.problems);
    excluded = run.excluded;
    notes.push(...run.notes);
    if (run.fixesApplied) fixed = { count: run.fixesApplied, files: run.filesFixed };
  }
  const coverage: RunSummary = summarize(reports);
  const nothingAnalysed = changed ? run?.collected === 0 : analysedNothing(coverage);
  if (!options.noBaseline) {
    const applied = withBaseline(reports, options, cwd, locale, problems.length > 0 || nothingAnalysed);
    if ('error' in applied) {
      print.err(`${applied.error}\n`);
      return { code: 2, run };
    }
    reports = applied.reports;
    if (applied.summary) coverage.baseline = applied.summary;
    notes.push(...applied.notes);
  }
  const output = `${formatOutput(options, reports, coverage, locale, cwd)}\n`;
  if (options.stdin && options.fix) print.err(output);
  else print.out(output);
  for (const note of notes) print.err(`${note}\n`);
  if (excluded.length) print.err(`${coreText(locale, 'cliExcluded', { count: excluded.length, example: excluded[0] })}\n`);
  if (fixed) print.err(`${coreText(locale, 'cliFixed', { count: fixed.count, files: fixed.files })}\n`);
  if (options.verbose && run?.cache) print.err(`${coreText(locale, 'cliCacheReused', { reused: run.cache.reused, files: run.cache.files })}\n`);
  if (options.verbose && run?.workers) print.err(`${coreText(locale, 'cliWorkers', { workers: run.workers })}\n`);
  // Files that could not be read, and patterns that matched nothing: CI must not pass on them.
  for (const problem of problems) print.err(`${coreText(locale, INPUT_PROBLEM_TEXT[problem.kind], { path: problem.path, detail: problem.detail ?? '' })}\n`);
  if (problems.length) return { code: 2, run };
  if (nothingAnalysed) {
    // Passing in silence would let a CI job pointed at the wrong folder (or at MySQL only) go green.
    const paths = options.stdin ? (options.stdinFilename ?? 'stdin') : options.positional.join(' ') || '.';
    print.err(`${coreText(locale, 'cliNothingAnalysed', { paths, detail: coverageLine(coverage, locale, true) })}\n`);
    return { code: 2, run };
  }
  // With --changed/--staged, a change that touches no file Armadilha reads passes.
  if (changed && run?.inScope === 0) print.err(`${coreText(locale, 'cliChangedNothing', { option: options.staged ? '--staged' : '--changed' })}\n`);
  if (options.failOn === 'none') return { code: 0, run };
  const threshold = SEVERITY_RANK[options.failOn];
  return { code: reports.some((report) => report.findings.some((finding) => SEVERITY_RANK[finding.severity] >= threshold)) ? 1 : 0, run };
}

/** Running from the bundle (dist/armadilha-cli.js, loaded by the launcher): only then is a run replayed. */
function bundled(): boolean {
  return path.basename(__filename) === 'armadilha-cli.js';
}

/** --changed [<ref>] or --staged. A word after --changed is a ref when it names a commit and no path. */
function changedMode(options: Options, cwd: string): ChangedMode | undefined {
  if (options.staged) return { kind: 'staged' };
  if (!options.changed) return undefined;
  const candidate = options.changed.candidate;
  if (candidate === undefined) return { kind: 'changed', ref: options.changed.ref };
  if (!fs.existsSync(path.resolve(cwd, candidate)) && isCommit(cwd, candidate)) {
    options.positional.splice(options.positional.indexOf(candidate), 1);
    return { kind: 'changed', ref: candidate };
  }
  return { kind: 'changed' };
}

/**
 * The reports less the findings the baseline records; with --update-baseline or --prune-baseline the
 * file is written, unless the run was incomplete (files unread: their findings would be lost).
 */
function withBaseline(
  reports: FileReport[],
  options: Options,
  cwd: string,
  locale: Locale,
  incomplete: boolean,
): { reports: FileReport[]; summary?: RunSummary['baseline']; notes: string[] } | { error: string } {
  const file = options.baseline ? path.resolve(cwd, options.baseline) : defaultBaselinePath(cwd);
  const shown = path.relative(cwd, file) || file;
  let baseline;
  try {
    baseline = readBaselineFile(file);
  } catch (error) {
    return { error: coreText(locale, 'cliBaselineUnreadable', { file: shown, detail: String((error as Error)?.message ?? error) }) };
  }
  const wanted: BaselineMode = options.updateBaseline ? 'update' : options.pruneBaseline ? 'prune' : 'check';
  if (!baseline && wanted === 'check') return { reports, notes: [] };
  const notes: string[] = [];
  const mode = wanted !== 'check' && incomplete ? 'check' : wanted;
  if (mode !== wanted) notes.push(coreText(locale, 'cliBaselineNotWritten', { file: shown }));
  const outcome = applyBaseline(reports, file, mode, baseline);
  if (outcome.written) notes.push(coreText(locale, 'cliBaselineWritten', { file: shown, count: outcome.written.findings, files: outcome.written.files }));
  else if (outcome.recorded) notes.push(coreText(locale, 'cliBaselineRecorded', { file: shown, count: outcome.recorded }));
  if (outcome.stale) notes.push(coreText(locale, 'cliBaselineStale', { file: shown, count: outcome.stale }));
  return { reports: outcome.reports, summary: { file: toSlashes(shown), recorded: outcome.recorded, stale: outcome.stale }, notes };
}

function formatOutput(options: Options, reports: FileReport[], coverage: RunSummary, locale: Locale, cwd: string): string {
  switch (options.format) {
    case 'json':
      return formatJson(reports, coverage);
    case 'sarif':
      return formatSarif(reports, locale, coverage);
    case 'github':
      return formatGithub(reports, repositoryRoot(cwd), formatText(reports, locale, false, { summary: coverage, verbose: options.verbose }));
    case 'gitlab':
      return formatGitlab(reports, repositoryRoot(cwd));
    default:
      return formatText(reports, locale, !!process.stdout.isTTY && !process.env.NO_COLOR, { summary: coverage, verbose: options.verbose });
  }
}

function toSlashes(file: string): string {
  return file.split(path.sep).join('/');
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
    process.stdout.write(
      `${rule.id.padEnd(width)}  ${rule.severity.padEnd(7)}  ${fix.padEnd(4)}  ${rule.languages.join(',').padEnd(6)}  ${rule.text[locale].summary}\n`,
    );
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
