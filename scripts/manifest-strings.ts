// User-visible strings of the extension manifest (command titles, setting descriptions that are not
// a rule's), in both languages. scripts/generate.ts writes them to package.nls.json and
// package.nls.pt-br.json; rule settings take their descriptions from the rule objects.

import type { Locale } from '../server/src/locale';

export const MANIFEST_STRINGS: Record<string, Record<Locale, string>> = {
  'extension.description': {
    en: 'Catches distributed-systems traps in PostgreSQL SQL and TypeScript/JavaScript: wall-clock expiry, locks without fencing tokens, inserts without ON CONFLICT, fetch without timeout, retries without backoff.',
    'pt-BR': 'Encontra armadilhas de sistemas distribuídos em SQL PostgreSQL e TypeScript/JavaScript: expiração por relógio de parede, locks sem fencing token, inserts sem ON CONFLICT, fetch sem timeout, retries sem backoff.',
  },
  'command.showDocumentation': { en: 'Show Rule Documentation', 'pt-BR': 'Mostrar documentação da regra' },
  'command.restartServer': { en: 'Restart Server', 'pt-BR': 'Reiniciar o servidor' },
  'command.showOutput': { en: 'Show Output', 'pt-BR': 'Mostrar saída' },
  'configuration.title': { en: 'Armadilha', 'pt-BR': 'Armadilha' },
  'capabilities.untrustedWorkspaces': {
    en: 'Analysis runs (it executes nothing and opens no connection), but armadilha.config.json is not read and the workspace cannot set armadilha.rules, armadilha.names.* or armadilha.maxFileSizeMb until it is trusted.',
    'pt-BR': 'A análise roda (não executa nada nem abre conexões), mas o armadilha.config.json não é lido e o workspace não pode definir armadilha.rules, armadilha.names.* nem armadilha.maxFileSizeMb até ser confiável.',
  },
  'setting.enable': { en: 'Analyse SQL, TypeScript and JavaScript files for distributed-systems pitfalls.', 'pt-BR': 'Analisar arquivos SQL, TypeScript e JavaScript em busca de armadilhas de sistemas distribuídos.' },
  'setting.locale': {
    en: 'Language of messages and hovers. "auto" follows the display language of the editor.',
    'pt-BR': 'Idioma das mensagens e hovers. "auto" segue o idioma de exibição do editor.',
  },
  'setting.rules': {
    en: 'Severity per rule: off, hint, info, warning or error. Rules not listed keep their default. armadilha.config.json in the project wins over this setting.',
    'pt-BR': 'Severidade por regra: off, hint, info, warning ou error. Regras não listadas mantêm o padrão. O armadilha.config.json do projeto prevalece sobre esta configuração.',
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
    'pt-BR': 'Analisar também código que não é do projeto: pacotes copiados (.yarn/, vendor/, third_party/), saída de build (dist/, .next/, *.bundle.js), arquivos minificados (*.min.js) e arquivos cujo cabeçalho diz que são gerados ("DO NOT EDIT", "@generated"). Ignorados por padrão, diga o .gitignore o que disser.',
  },
  'setting.sql.dialect': {
    en: 'What .sql files are, by path glob (relative to the workspace folder, or to armadilha.config.json), when detection gets it wrong: "postgres" analyses a file that looks like another dialect or a template; "skip" leaves a file out. Example: { "legacy/mysql/**": "skip" }.',
    'pt-BR': 'O que os arquivos .sql são, por glob de caminho (relativo à pasta do workspace, ou ao armadilha.config.json), quando a detecção erra: "postgres" analisa um arquivo que parece outro dialeto ou um template; "skip" deixa um arquivo de fora. Exemplo: { "legacy/mysql/**": "skip" }.',
  },
  'setting.baselineLevel': {
    en: 'The highest level at which findings recorded in armadilha-baseline.json (the findings accepted when Armadilha was adopted, see `armadilha check --update-baseline`) are shown: "hint" by default, "off" hides them, "error" shows them at their own level.',
    'pt-BR': 'O nível mais alto em que os achados registrados no armadilha-baseline.json (os achados aceitos quando o Armadilha foi adotado, veja `armadilha check --update-baseline`) são mostrados: "hint" por padrão, "off" os esconde, "error" os mostra no nível deles.',
  },
  'setting.trace': { en: 'Traces the communication between the editor and the Armadilha language server.', 'pt-BR': 'Registra a comunicação entre o editor e o servidor de linguagem do Armadilha.' },
};
