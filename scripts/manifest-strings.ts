// User-visible strings of the extension manifest (command titles, setting descriptions that are not
// a rule's), in both languages. scripts/generate.ts writes them to package.nls.json and
// package.nls.pt-br.json; rule settings take their descriptions from the rule objects.

import type { Locale } from '../server/src/core/locale';

export const MANIFEST_STRINGS: Record<string, Record<Locale, string>> = {
  'extension.description': {
    en: 'Catches distributed-systems traps in PostgreSQL SQL and TypeScript/JavaScript: wall-clock expiry, locks without fencing tokens, inserts without ON CONFLICT, fetch without timeout, retries without backoff.',
    'pt-BR':
      'Encontra armadilhas de sistemas distribuídos em SQL PostgreSQL e TypeScript/JavaScript: expiração por relógio de parede, locks sem fencing token, inserts sem ON CONFLICT, fetch sem timeout, retries sem backoff.',
  },
  'command.showDocumentation': { en: 'Show Rule Documentation', 'pt-BR': 'Mostrar documentação da regra' },
  'command.analyseWorkspace': { en: 'Analyse Workspace', 'pt-BR': 'Analisar o workspace' },
  'command.walkthrough.openSample': { en: 'Open a Migration with a Trap', 'pt-BR': 'Abrir uma migration com uma armadilha' },
  'command.walkthrough.enableFixAllOnSave': { en: 'Fix All on Save', 'pt-BR': 'Corrigir tudo ao salvar' },
  'command.walkthrough.trySnippet': { en: 'Try a Snippet', 'pt-BR': 'Experimentar um snippet' },
  'task.command': {
    en: 'What to run: "check" analyses the workspace folder as `armadilha check` does.',
    'pt-BR': 'O que rodar: "check" analisa a pasta do workspace como o `armadilha check`.',
  },
  'task.paths': {
    en: 'Paths or globs to check, relative to the workspace folder (default: the whole folder).',
    'pt-BR': 'Caminhos ou globs a verificar, relativos à pasta do workspace (padrão: a pasta inteira).',
  },
  'problemMatcher.label': { en: 'Armadilha findings', 'pt-BR': 'Achados do Armadilha' },
  'walkthrough.title': { en: 'Get started with Armadilha', 'pt-BR': 'Primeiros passos com o Armadilha' },
  'walkthrough.description': {
    en: 'Distributed-systems traps in your migrations and TypeScript, found as you type, fixed in one keystroke.',
    'pt-BR': 'Armadilhas de sistemas distribuídos nas suas migrations e no seu TypeScript, encontradas enquanto você digita e corrigidas com uma tecla.',
  },
  'walkthrough.trap.title': { en: 'Find a trap and fix it', 'pt-BR': 'Encontre uma armadilha e corrija' },
  'walkthrough.trap.description': {
    en: 'Open a migration whose expiry comes from the wall clock, hover the squiggle, and fix it with Ctrl+.\n[Open a migration with a trap](command:armadilha.walkthrough.openSample)',
    'pt-BR':
      'Abra uma migration cuja expiração vem do relógio de parede, passe o mouse no sublinhado e corrija com Ctrl+.\n[Abrir uma migration com uma armadilha](command:armadilha.walkthrough.openSample)',
  },
  'walkthrough.trap.media': { en: 'docs/walkthrough/en/trap.md', 'pt-BR': 'docs/walkthrough/pt-br/trap.md' },
  'walkthrough.fixAll.title': { en: 'Fix all on save', 'pt-BR': 'Corrigir tudo ao salvar' },
  'walkthrough.fixAll.description': {
    en: 'Apply every safe fix each time you save a SQL, TypeScript or JavaScript file.\n[Turn on fix-all on save](command:armadilha.walkthrough.enableFixAllOnSave)',
    'pt-BR':
      'Aplique todas as correções seguras sempre que salvar um arquivo SQL, TypeScript ou JavaScript.\n[Ligar o corrigir tudo ao salvar](command:armadilha.walkthrough.enableFixAllOnSave)',
  },
  'walkthrough.fixAll.media': { en: 'docs/walkthrough/en/fix-all.md', 'pt-BR': 'docs/walkthrough/pt-br/fix-all.md' },
  'walkthrough.snippet.title': { en: 'Write the right pattern with a snippet', 'pt-BR': 'Escreva o padrão certo com um snippet' },
  'walkthrough.snippet.description': {
    en: 'Type arm- and pick one: fencing tokens, idempotent inserts, timeouts, retries with backoff.\n[Try a snippet](command:armadilha.walkthrough.trySnippet)',
    'pt-BR':
      'Digite arm- e escolha um: fencing tokens, inserts idempotentes, timeouts, retries com backoff.\n[Experimentar um snippet](command:armadilha.walkthrough.trySnippet)',
  },
  'walkthrough.snippet.media': { en: 'docs/walkthrough/en/snippet.md', 'pt-BR': 'docs/walkthrough/pt-br/snippet.md' },
  'command.restartServer': { en: 'Restart Server', 'pt-BR': 'Reiniciar o servidor' },
  'command.showOutput': { en: 'Show Output', 'pt-BR': 'Mostrar saída' },
  'configuration.title': { en: 'Armadilha', 'pt-BR': 'Armadilha' },
  'capabilities.untrustedWorkspaces': {
    en: 'Analysis runs (it executes nothing and opens no connection), but armadilha.config.json is not read and the workspace cannot set armadilha.rules, armadilha.ruleCustomizations, armadilha.names or armadilha.maxFileSizeMb until it is trusted.',
    'pt-BR':
      'A análise roda (não executa nada nem abre conexões), mas o armadilha.config.json não é lido e o workspace não pode definir armadilha.rules, armadilha.ruleCustomizations, armadilha.names nem armadilha.maxFileSizeMb até ser confiável.',
  },
  'setting.enable': {
    en: 'Analyse SQL, TypeScript and JavaScript files for distributed-systems pitfalls.',
    'pt-BR': 'Analisar arquivos SQL, TypeScript e JavaScript em busca de armadilhas de sistemas distribuídos.',
  },
  'setting.locale': {
    en: 'Language of messages and hovers. "auto" follows the display language of the editor.',
    'pt-BR': 'Idioma das mensagens e hovers. "auto" segue o idioma de exibição do editor.',
  },
  'setting.rules': {
    en: 'Severity per rule: off, hint, info, warning or error. Rules not listed keep their default. armadilha.config.json in the project wins over this setting.',
    'pt-BR':
      'Severidade por regra: off, hint, info, warning ou error. Regras não listadas mantêm o padrão. O armadilha.config.json do projeto prevalece sobre esta configuração.',
  },
  'setting.defaultTimeoutMs': {
    en: 'Timeout in milliseconds that the require-network-timeout fixes insert.',
    'pt-BR': 'Timeout em milissegundos que as correções de require-network-timeout inserem.',
  },
  'setting.maxFileSizeMb': {
    en: 'Files larger than this many megabytes are not analysed; they get one skipped-file warning instead.',
    'pt-BR': 'Arquivos maiores que estes megabytes não são analisados; recebem um único aviso skipped-file.',
  },
  'setting.analyseGeneratedCode': {
    en: 'Also analyse code the project does not own: vendored packages (.yarn/, vendor/, third_party/), build output (dist/, .next/, *.bundle.js), minified files (*.min.js) and files whose header says they are generated ("DO NOT EDIT", "@generated"). Skipped by default, whatever .gitignore says.',
    'pt-BR':
      'Analisar também código que não é do projeto: pacotes copiados (.yarn/, vendor/, third_party/), saída de build (dist/, .next/, *.bundle.js), arquivos minificados (*.min.js) e arquivos cujo cabeçalho diz que são gerados ("DO NOT EDIT", "@generated"). Ignorados por padrão, diga o .gitignore o que disser.',
  },
  'setting.sql.dialect': {
    en: 'What .sql files are, by path glob (relative to the workspace folder, or to armadilha.config.json), when detection gets it wrong: "postgres" analyses a file that looks like another dialect or a template; "skip" leaves a file out. Example: { "legacy/mysql/**": "skip" }.',
    'pt-BR':
      'O que os arquivos .sql são, por glob de caminho (relativo à pasta do workspace, ou ao armadilha.config.json), quando a detecção erra: "postgres" analisa um arquivo que parece outro dialeto ou um template; "skip" deixa um arquivo de fora. Exemplo: { "legacy/mysql/**": "skip" }.',
  },
  'setting.ruleCustomizations': {
    en: 'Severity overrides for the rules whose ids match a pattern, as vscode-eslint\'s `eslint.rules.customizations`: `[{ "rule": "require-*", "severity": "info" }]`. `*` matches any characters; a leading `!` applies the entry to the rules that do not match. The last matching entry wins; a rule named in `armadilha.rules` wins over the patterns. In armadilha.config.json: `"rules": { "customizations": [...] }`.',
    'pt-BR':
      'Severidades para as regras cujo id corresponde a um padrão, como o `eslint.rules.customizations` do vscode-eslint: `[{ "rule": "require-*", "severity": "info" }]`. `*` corresponde a quaisquer caracteres; um `!` no início aplica a entrada às regras que não correspondem. Vale a última entrada que corresponder; uma regra citada em `armadilha.rules` prevalece sobre os padrões. No armadilha.config.json: `"rules": { "customizations": [...] }`.',
  },
  'config.rules.customizations': {
    en: 'Severity overrides for the rules whose ids match a pattern: [{ "rule": "require-*", "severity": "info" }]. * matches any characters; a leading ! applies the entry to the rules that do not match. The last matching entry wins; a rule named in "rules" wins over the patterns.',
    'pt-BR':
      'Severidades para as regras cujo id corresponde a um padrão: [{ "rule": "require-*", "severity": "info" }]. * corresponde a quaisquer caracteres; um ! no início aplica a entrada às regras que não correspondem. Vale a última entrada que corresponder; uma regra citada em "rules" prevalece sobre os padrões.',
  },
  'setting.run': { en: 'When open documents are analysed.', 'pt-BR': 'Quando os documentos abertos são analisados.' },
  'setting.run.onType': { en: 'As you type (each change).', 'pt-BR': 'Enquanto você digita (a cada mudança).' },
  'setting.run.onSave': {
    en: 'When the document is saved (and when it is opened): for very large files, where analysing at every keystroke is slow.',
    'pt-BR': 'Quando o documento é salvo (e quando é aberto): para arquivos muito grandes, em que analisar a cada tecla é lento.',
  },
  'setting.timeBudget.onValidation': {
    en: 'Milliseconds an analysis of an edited document may take before the status bar item turns to a warning (`warn`) or an error (`error`); the output channel then names the file and the time, and suggests `"armadilha.run": "onSave"`.',
    'pt-BR':
      'Milissegundos que a análise de um documento editado pode levar antes de o item da barra de status passar a aviso (`warn`) ou erro (`error`); o canal de saída então cita o arquivo e o tempo, e sugere `"armadilha.run": "onSave"`.',
  },
  'setting.names': {
    en: 'The name lists the heuristics use, by key: tables that record once-only facts, expiry-like columns, token columns, broker calls… (each rule page lists its own, with the defaults). A key set here replaces that list; keys not set keep their defaults.',
    'pt-BR':
      'As listas de nomes que as heurísticas usam, por chave: tabelas que registram fatos únicos, colunas de expiração, colunas de token, chamadas de broker… (a página de cada regra lista as suas, com os padrões). Uma chave definida aqui substitui aquela lista; as outras mantêm o padrão.',
  },
  'setting.logLevel': { en: 'How much the Armadilha output channel says.', 'pt-BR': 'Quanto o canal de saída do Armadilha registra.' },
  'setting.logLevel.info': {
    en: 'Start-up, workspace folders, configuration files and their problems, files skipped and why, slow analyses.',
    'pt-BR': 'Início, pastas do workspace, arquivos de configuração e seus problemas, arquivos ignorados e por quê, análises lentas.',
  },
  'setting.logLevel.verbose': { en: 'Also every analysis, with its time.', 'pt-BR': 'Também cada análise, com o tempo que levou.' },
  'config.extends': {
    en: 'Configuration files whose settings apply first (this file\'s own on top): a path relative to this file, or a package ("@acme/armadilha-config" reads its armadilha.config.json).',
    'pt-BR':
      'Arquivos de configuração cujas configurações se aplicam antes (as deste arquivo por cima): um caminho relativo a este arquivo, ou um pacote ("@acme/armadilha-config" lê o armadilha.config.json dele).',
  },
  'setting.baselineLevel': {
    en: 'The highest level at which findings recorded in armadilha-baseline.json (the findings accepted when Armadilha was adopted, see `armadilha check --update-baseline`) are shown: "hint" by default, "off" hides them, "error" shows them at their own level.',
    'pt-BR':
      'O nível mais alto em que os achados registrados no armadilha-baseline.json (os achados aceitos quando o Armadilha foi adotado, veja `armadilha check --update-baseline`) são mostrados: "hint" por padrão, "off" os esconde, "error" os mostra no nível deles.',
  },
  'setting.trace': {
    en: 'Traces the communication between the editor and the Armadilha language server.',
    'pt-BR': 'Registra a comunicação entre o editor e o servidor de linguagem do Armadilha.',
  },
};
