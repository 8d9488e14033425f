// The TextMate injection grammar that highlights SQL inside TypeScript/JavaScript templates
// (syntaxes/sql-template.injection.json, written by `npm run generate`). The names that mark SQL come
// from the analyser's list (server/src/languages/typescript/sql-calls.ts), so that the editor colours
// what the analyser reads; the few the grammar adds are named below, with why.
import { QUERY_METHODS, RAW_QUERY_TAGS, RAW_SQL_METHODS, SQL_TAG_NAMES } from '../server/src/languages/typescript/sql-calls';
import { SQL_START_WORDS } from '../server/src/languages/typescript/sql-start';

type Rule = Record<string, unknown>;

/**
 * Members after `sql` that still make a tag: slonik's sql.unsafe`…` and sql.fragment`…`. The analyser
 * needs no list for them (it reads any `sql.<member>` tag by its root name); a grammar cannot tell a tag
 * from a member access, so it names the two that slonik documents.
 */
const SQL_TAG_MEMBERS = ['unsafe', 'fragment'];

const HOSTS = ['source.ts', 'source.tsx', 'source.js', 'source.js.jsx'];
// Up to four members before the tag or method (this.sql, db.client.sql): bounded, so that a line is
// searched for the literal name rather than tried at every identifier.
const CHAIN = '((?:[_$[:alpha:]][_$[:alnum:]]{0,62}\\s{0,4}\\??\\.\\s{0,4}){0,4})';
const RECEIVER = '((?:[_$[:alpha:]][_$[:alnum:]]{0,62}\\s{0,4}\\??\\.\\s{0,4}){1,4})';
const TYPE_ARGUMENTS = '(<(?:[^<>`]|<(?:[^<>`]|<[^<>`]*>)*>)*>)?';
const NOT_AFTER_IDENTIFIER = '(?<![_$[:alnum:]])';

// What follows a query method's parenthesis: any template (on this line or the next), or one that
// begins like a statement (or ends the line: its SQL starts on a line the pattern cannot see).
const ANY_TEMPLATE = '\\s*(?:`|$)';
const STATEMENT_TEMPLATE = `\\s*\`\\s*(?:$|--|/\\*|(?i:${SQL_START_WORDS.join('|')})\\b)`;

const TEMPLATE_BEGIN = { name: 'string.template.ts punctuation.definition.string.template.begin.ts' };
const TEMPLATE_END = { name: 'string.template.ts punctuation.definition.string.template.end.ts' };
const SQL_CONTENT = [{ include: '#sql-content' }];
const TYPE_ARGUMENT_PATTERNS = { patterns: [{ include: 'source.ts#type-arguments' }] };

function isRawSqlMethod(method: string): boolean {
  return (RAW_SQL_METHODS as readonly string[]).includes(method);
}

/** A regular-expression alternative of literal names ($ escaped). */
function alternatives(names: readonly string[]): string {
  return names.map((name) => name.replace(/\$/g, '\\$')).join('|');
}

/** A tag (with its chain and type arguments) right before a template: the template is SQL. */
function taggedTemplate(tag: string): Rule {
  return {
    begin: `${NOT_AFTER_IDENTIFIER}${CHAIN}(${tag})\\s*${TYPE_ARGUMENTS}\\s*(\`)`,
    beginCaptures: {
      '1': { patterns: [{ include: '#tag-chain' }] },
      '2': { patterns: [{ include: '#tag-name' }] },
      '3': TYPE_ARGUMENT_PATTERNS,
      '4': TEMPLATE_BEGIN,
    },
    end: '`',
    endCaptures: { '0': TEMPLATE_END },
    contentName: 'meta.embedded.block.sql',
    patterns: SQL_CONTENT,
  };
}

/**
 * A method call whose template arguments are SQL (the other arguments stay TypeScript). `firstArgument`:
 * what must follow the opening parenthesis (a lookahead).
 */
function sqlCall(methods: string, firstArgument: string): Rule {
  return {
    begin: `${NOT_AFTER_IDENTIFIER}${RECEIVER}(${methods})\\s*${TYPE_ARGUMENTS}\\s*(\\()(?=${firstArgument})`,
    beginCaptures: {
      '1': { patterns: [{ include: '#tag-chain' }] },
      '2': { name: 'entity.name.function.ts' },
      '3': TYPE_ARGUMENT_PATTERNS,
      '4': { name: 'meta.brace.round.ts' },
    },
    end: '\\)',
    endCaptures: { '0': { name: 'meta.brace.round.ts' } },
    patterns: [
      {
        begin: '`',
        beginCaptures: { '0': TEMPLATE_BEGIN },
        end: '`',
        endCaptures: { '0': TEMPLATE_END },
        contentName: 'meta.embedded.block.sql',
        patterns: SQL_CONTENT,
      },
      { include: 'source.ts#expression' },
      { include: 'source.ts#punctuation-comma' },
    ],
  };
}

/** A rule that matches inside SQL and ends at the closing backtick at the latest, with ${…} inside it still TypeScript. */
function sqlSpan(begin: string, end: string, name: string, beginCaptures: Rule, endCaptures?: Rule): Rule {
  return {
    begin,
    beginCaptures,
    end,
    ...(endCaptures ? { endCaptures } : {}),
    name,
    patterns: [{ include: 'source.ts#template-substitution-element' }, { include: 'source.ts#string-character-escape' }],
  };
}

export function sqlTemplateGrammar(): unknown {
  const [lower, upper] = SQL_TAG_NAMES;
  const [queryRaw, executeRaw] = RAW_QUERY_TAGS;
  const [unsafe, ...prismaUnsafe] = RAW_SQL_METHODS;
  const selector = '-comment -(string - meta.template.expression) -(meta.embedded.block.sql - meta.template.expression)';
  const repository: Record<string, Rule> = {
    [`${lower}-tagged-template`]: taggedTemplate(`${lower}(?:\\s*\\??\\.\\s*(?:${alternatives(SQL_TAG_MEMBERS)}))?`),
    [`${upper}-tagged-template`]: taggedTemplate(upper),
    'prisma-raw-tagged-template': taggedTemplate(alternatives([queryRaw, executeRaw])),
    'sql-comment-template': {
      begin: '((/\\*)\\s*(?i:sql)\\s*(\\*/))\\s*(`)',
      beginCaptures: {
        '1': { name: 'comment.block.ts' },
        '2': { name: 'punctuation.definition.comment.ts' },
        '3': { name: 'punctuation.definition.comment.ts' },
        '4': TEMPLATE_BEGIN,
      },
      end: '`',
      endCaptures: { '0': TEMPLATE_END },
      contentName: 'meta.embedded.block.sql',
      patterns: SQL_CONTENT,
    },
    // A template, on this line or the next: the name says raw SQL.
    'unsafe-call': sqlCall(alternatives([unsafe]), ANY_TEMPLATE),
    'prisma-raw-unsafe-call': sqlCall(alternatives(prismaUnsafe), ANY_TEMPLATE),
    // db.query(`select …`), pg-promise's db.one(`…`): names other code uses too, so the template must
    // begin on this line and, as the analyser asks of the text of an unknown client, like a statement
    // (a template whose SQL starts on the next line cannot be checked, and is taken as SQL). The names
    // share no literal for Oniguruma to search for: tokenizing the TypeScript corpus took about 9% longer
    // with this pattern (measured with vscode-textmate), less than with one pattern per name. It must
    // start at the receiver, like the others: one that starts at the dot leaves the TypeScript grammar's
    // function-call scope open after the call.
    'query-call': sqlCall(alternatives(QUERY_METHODS.filter((method) => !isRawSqlMethod(method))), STATEMENT_TEMPLATE),
    'tag-name': {
      patterns: [
        { match: '\\?\\.', name: 'punctuation.accessor.optional.ts' },
        { match: '\\.', name: 'punctuation.accessor.ts' },
        { match: '[_$[:alpha:]][_$[:alnum:]]*', name: 'entity.name.function.tagged-template.ts' },
      ],
    },
    'tag-chain': {
      patterns: [
        { match: '\\bthis\\b', name: 'variable.language.this.ts' },
        { match: '[_$[:alpha:]][_$[:alnum:]]*', name: 'variable.other.object.ts' },
        { match: '\\?\\.', name: 'punctuation.accessor.optional.ts' },
        { match: '\\.', name: 'punctuation.accessor.ts' },
      ],
    },
    'sql-content': {
      patterns: [
        { include: 'source.ts#template-substitution-element' },
        { include: 'source.ts#string-character-escape' },
        { include: '#sql-line-comment' },
        { include: '#sql-block-comment' },
        { include: '#sql-single-quoted' },
        { include: '#sql-double-quoted' },
        { match: '(^[ \\t]+)?(#>>|#>|#-|#)', captures: { '2': { name: 'keyword.operator.sql' } } },
        { match: '%', name: 'keyword.operator.math.sql' },
        { match: '\\[|\\]', name: 'punctuation.definition.brackets.sql' },
        { include: 'source.sql' },
      ],
    },
    'sql-line-comment': sqlSpan('(^[ \\t]+)?(--)', '(?=`)|$', 'comment.line.double-dash.sql', {
      '1': { name: 'punctuation.whitespace.comment.leading.sql' },
      '2': { name: 'punctuation.definition.comment.sql' },
    }),
    'sql-block-comment': sqlSpan(
      '/\\*',
      '\\*/|(?=`)',
      'comment.block.sql',
      { '0': { name: 'punctuation.definition.comment.sql' } },
      { '0': { name: 'punctuation.definition.comment.sql' } },
    ),
    'sql-single-quoted': sqlSpan(
      "'",
      "'|(?=`)",
      'string.quoted.single.sql',
      { '0': { name: 'punctuation.definition.string.begin.sql' } },
      { '0': { name: 'punctuation.definition.string.end.sql' } },
    ),
    'sql-double-quoted': sqlSpan(
      '"',
      '"|(?=`)',
      'string.quoted.double.sql',
      { '0': { name: 'punctuation.definition.string.begin.sql' } },
      { '0': { name: 'punctuation.definition.string.end.sql' } },
    ),
  };
  return {
    information_for_contributors: [
      'Armadilha: SQL highlighting inside JavaScript/TypeScript template literals. Injected into source.ts, source.tsx, source.js and source.js.jsx (package.json contributes.grammars).',
      "Generated by npm run generate from scripts/sql-template-grammar.ts and the analyser's names (server/src/languages/typescript/sql-calls.ts): edit those, not this file (test/manifest.test.ts fails on a stale copy).",
      "SQL templates: tags whose name is sql or SQL, also as the last member of a chain of up to four members (Prisma.sql, this.sql, db.sql), with type arguments (sql<Row[]>), slonik sql.unsafe / sql.fragment, Prisma $queryRaw / $executeRaw; a template that is an argument of x.unsafe(…), x.$queryRawUnsafe(…), x.$executeRawUnsafe(…); the first argument of x.query(…) and the analyser's other query methods when it is a template that begins like a statement on the same line (or ends the line); a template right after a /* sql */ comment.",
      'The analyser reads more than a grammar can see: templates tagged with a name bound to a client by its import or by sql.begin(tx => …), { text: `…` } arguments, query calls with no receiver, plain strings. The grammar colours only what the names say.',
      'Other tags (html`…`, tx`…`, t`…`) stay TypeScript strings: a tag name is the only evidence a grammar has, and i18n tags such as t`Update available` read like SQL.',
      '${…} substitutions use the TypeScript grammar (source.ts#template-substitution-element) before source.sql. SQL comments, strings, quoted identifiers, # and % operators and brackets are matched here first, so that a closing backtick always ends the template and substitutions inside them stay TypeScript.',
      'One literal tag per pattern and bounded chains: Oniguruma then finds candidates by searching for the literal, instead of trying every identifier of every line (about ten times faster).',
      'Tests: test/grammar/*.test.* (vscode-tmgrammar-test), run by test/grammar.test.ts.',
    ],
    scopeName: 'inline.armadilha.sql',
    injectionSelector: HOSTS.map((host) => `L:${host} ${selector}`).join(', '),
    patterns: [
      'sql-tagged-template',
      'SQL-tagged-template',
      'prisma-raw-tagged-template',
      'sql-comment-template',
      'unsafe-call',
      'prisma-raw-unsafe-call',
      'query-call',
    ].map((name) => ({ include: `#${name}` })),
    repository,
  };
}
