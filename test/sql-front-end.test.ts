// The SQL front end: offsets across units, statement splitting, PL/pgSQL bodies, nested SQL,
// transactions. Accented and astral characters on purpose: Portuguese comments are the norm here.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { splitPlpgsqlBody } from '../server/src/languages/sql/plpgsql';
import { splitStatements } from '../server/src/languages/sql/split';
import { buildSqlFileModel } from '../server/src/languages/sql/sql-file';
import { isolationSettings } from '../server/src/languages/sql/transactions';
import { MappedText } from '../server/src/core/text/mapped-text';
import { LineIndex, OffsetConverter } from '../server/src/core/text/positions';
import { findingsOf, ready } from './helpers/lint';

before(() => ready);

describe('offsets', () => {
  it('converts UTF-8 byte offsets and code-point indices to UTF-16 offsets', () => {
    const text = "-- ação 😀\nselect 'é'";
    const converter = new OffsetConverter(text);
    const selectAt = text.indexOf('select');
    assert.equal(converter.fromUtf8(Buffer.byteLength(text.slice(0, selectAt))), selectAt);
    // The emoji is one code point but two UTF-16 units.
    assert.equal(converter.fromCodePoint([...text.slice(0, selectAt)].length), selectAt);
    assert.equal(converter.toUtf8(selectAt), Buffer.byteLength(text.slice(0, selectAt)));
    const ascii = new OffsetConverter('select 1');
    assert.equal(ascii.fromUtf8(7), 7);
  });

  it('maps line/column positions in UTF-16 units, with CRLF and CR line breaks', () => {
    const lines = new LineIndex('a\r\nção😀x\rz');
    assert.deepEqual(lines.positionAt(3 + 5), { line: 1, character: 5 });
    assert.equal(lines.offsetAt({ line: 1, character: 5 }), 8);
    assert.deepEqual(lines.positionAt(10), { line: 2, character: 0 });
    assert.equal(lines.lineText(1), 'ção😀x');
  });

  it('maps text inside a quoted literal back to the document through escape sequences', () => {
    const document = MappedText.document("x := 'it''s é' || E'a\\nb'");
    const standard = MappedText.unquoted(document, 6, 13, 'standard');
    assert.equal(standard.text, "it's é");
    assert.equal(document.text.slice(standard.toDocument(5), standard.toDocument(6)), 'é');
    assert.equal(standard.toDocument(standard.text.length), 13);
    assert.equal(standard.encode("'"), "''");
    const escaped = MappedText.unquoted(document, 20, 24, 'escape');
    assert.equal(escaped.text, 'a\nb');
    assert.equal(document.text[escaped.toDocument(2)], 'b');
  });
});

describe('statement splitting', () => {
  const texts = (text: string) => splitStatements(text).map((span) => text.slice(span.start, span.end));

  it('splits at semicolons outside strings, dollar quotes, nested comments and parentheses', () => {
    const text =
      "select 'a;b'; select $x$ ; $x$; /* a /* nested; */ still; */ select E'\\';'; create rule r as on insert to t do also (insert into u values (1); delete from v);";
    assert.deepEqual(texts(text), [
      "select 'a;b'",
      'select $x$ ; $x$',
      "select E'\\';'",
      'create rule r as on insert to t do also (insert into u values (1); delete from v)',
    ]);
  });

  it('keeps SQL-standard function bodies (BEGIN ATOMIC … END) whole', () => {
    const text = 'create function f() returns int language sql begin atomic select 1; select case when true then 2 end; end; select 3;';
    assert.deepEqual(texts(text), ['create function f() returns int language sql begin atomic select 1; select case when true then 2 end; end', 'select 3']);
  });

  it('tolerates psql: meta-commands, \\g, variables and COPY data', () => {
    const text = "\\set limite 10\nselect :limite \\gset\nselect * from t limit :'limite';\ncopy t from stdin;\n1\tum; dois\n\\.\nselect 2;";
    assert.deepEqual(texts(text), ['select :limite', "select * from t limit :'limite'", 'copy t from stdin', 'select 2']);
  });

  it('reports one syntax error per broken statement, at the parser position, and analyses the rest', () => {
    const text = "select 1;\nselect 'ação' frm t;\nupdate t set a = 1;\nselec 2;";
    const model = buildSqlFileModel(text);
    assert.deepEqual(
      model.syntaxErrors.map((error) => text.slice(error.start, error.end)),
      ['t', 'selec'],
    );
    assert.deepEqual(
      model.statements.map((statement) => statement.kind),
      ['SelectStmt', 'UpdateStmt'],
    );
  });

  it('gives identical statements their own trees, so each is reported at its own place', () => {
    const trap = "update sessions set expires_at = clock_timestamp() + interval '1 hour' where id = 1;\n";
    const text = `${trap}select 1;\n${trap}-- e de novo\n${trap}`;
    const model = buildSqlFileModel(text);
    const updates = model.statements.filter((statement) => statement.kind === 'UpdateStmt');
    assert.equal(new Set(updates.map((statement) => statement.node)).size, 3);
    const found = findingsOf('no-clock-timestamp-expiry', text).map((finding) => text.slice(0, finding.start).split('\n').length);
    assert.deepEqual(found, [1, 3, 5]);
  });

  it('does not report statements that use psql variables', () => {
    assert.deepEqual(buildSqlFileModel('create table :tabela (id int);').syntaxErrors, []);
  });
});

describe('PL/pgSQL bodies', () => {
  it('finds SQL pieces with INTO targets, assignments, conditions and exception handlers', () => {
    const body = `
declare
  v_count int := (select count(*) from t);
  v_name text;
begin
  select name, count into v_name, v_count from t where id = 1;
  v_count := v_count + 1;
  if v_count > 10 then
    update t set n = v_count where id = 1;
  elsif v_name is null then
    perform pg_notify('c', v_name);
  end if;
  begin
    insert into u (name) values (v_name) returning id into v_count;
  exception when unique_violation or sqlstate '23P01' then
    raise notice 'dup %', v_name;
  end;
  for r in select * from t loop
    delete from t where id = r.id;
  end loop;
  return;
end`;
    const { pieces, variables } = splitPlpgsqlBody(body);
    const summary = pieces.map((piece) => [
      piece.info.kind,
      (piece.prefix + body.slice(piece.start, piece.end)).replace(/\s+/g, ' '),
      piece.info.targets.join(','),
    ]);
    assert.deepEqual(summary, [
      ['declare', 'select (select count(*) from t)', 'v_count'],
      ['sql', 'select name, count into v_name, v_count from t where id = 1', 'v_name,v_count'],
      ['assign', 'select v_count + 1', 'v_count'],
      ['condition', 'select v_count > 10', ''],
      ['sql', 'update t set n = v_count where id = 1', ''],
      ['condition', 'select v_name is null', ''],
      ['perform', "selectperform pg_notify('c', v_name)", ''],
      ['sql', 'insert into u (name) values (v_name) returning id into v_count', 'v_count'],
      ['loop-query', 'select * from t', 'r'],
      ['sql', 'delete from t where id = r.id', ''],
    ]);
    assert.deepEqual([...variables.keys()], ['v_count', 'v_name']);
    const insert = pieces[7];
    assert.deepEqual(insert.info.block?.handlers, ['unique_violation', 'sqlstate:23P01']);
    assert.equal(pieces[9].info.loopDepth, 1);
  });

  it('places body statements at their exact document positions, through single-quoted bodies too', () => {
    const text = "-- função de teste\ncreate function f() returns void language plpgsql as 'begin update t set nome = ''João'' where id = 1; end';";
    const model = buildSqlFileModel(text);
    const update = model.statements.find((statement) => statement.kind === 'UpdateStmt')!;
    assert.equal(text.slice(update.start, update.end), "update t set nome = ''João'' where id = 1");
    assert.equal(update.routine?.name, 'f');
    assert.equal(update.transaction.kind, 'routine');
  });

  it('analyses bodies the PL/pgSQL parser would reject for lack of a catalog (%TYPE, enum targets)', () => {
    const text = `create function g(p_id public.t.id%TYPE) returns void language plpgsql as $$
declare v_status public.status_enum; v_n int;
begin
  select status, n into v_status, v_n from public.t where id = p_id;
  update public.t set n = v_n + 1 where id = p_id;
end $$;`;
    const model = buildSqlFileModel(text);
    assert.deepEqual(model.syntaxErrors, []);
    assert.deepEqual(
      model.statements.map((statement) => statement.kind),
      ['CreateFunctionStmt', 'SelectStmt', 'UpdateStmt'],
    );
  });
});

describe('nested SQL and transactions', () => {
  it('parses cron.schedule commands and EXECUTE literals, as their own statements', () => {
    const text = "select cron.schedule('j', '* * * * *', $$refresh materialized view mv; delete from t$$);\ndo $$ begin execute 'update t set a = 1'; end $$;";
    const model = buildSqlFileModel(text);
    const nested = model.statements.filter((statement) => statement.origin === 'cron' || statement.origin === 'execute');
    assert.deepEqual(
      nested.map((statement) => [statement.origin, statement.kind, text.slice(statement.start, statement.end)]),
      [
        ['cron', 'RefreshMatViewStmt', 'refresh materialized view mv'],
        ['cron', 'DeleteStmt', 'delete from t'],
        ['execute', 'UpdateStmt', 'update t set a = 1'],
      ],
    );
    assert.equal(nested[0].transaction, nested[1].transaction);
    assert.equal(nested[0].transaction.kind, 'scheduled');
  });

  it('parses the SQL of EXECUTE format(…), directly or through a variable, at its exact place; directives stay out of reach of fixes', () => {
    const text = [
      'create function f(p_tabela text, p_id int, p_prazo text) returns void language plpgsql as $$',
      'declare v_sql text; v_aviso text; v_n int;',
      'begin',
      "  execute format('update %I set nota = ''ação'' where id = %L and rótulo like ''a%%''', p_tabela, p_id);",
      '  v_sql := format($q$delete from %1$I where vence < now() - interval %2$s$q$, p_tabela, quote_literal(p_prazo));',
      '  for v_n in execute v_sql loop end loop;',
      "  v_aviso := format('select %s', p_tabela); -- never executed: only a message",
      "  raise notice '%', v_aviso;",
      "  return query execute format('bad %x', 1);",
      'end $$;',
    ].join('\n');
    const model = buildSqlFileModel(text);
    const executed = model.statements.filter((statement) => statement.origin === 'execute');
    assert.deepEqual(
      executed.map((statement) => [statement.kind, statement.text]),
      [
        ['UpdateStmt', `update "%I" set nota = 'ação' where id = '%L' and rótulo like 'a%'`],
        ['DeleteStmt', `delete from "%1$I" where vence < now() - interval '%2$s'`],
      ],
    );
    assert.deepEqual(
      executed.map((statement) => text.slice(statement.start, statement.end)),
      ["update %I set nota = ''ação'' where id = %L and rótulo like ''a%%''", 'delete from %1$I where vence < now() - interval %2$s'],
    );
    const [update, remove] = executed;
    assert.equal(update.plpgsql?.kind, 'execute');
    assert.equal(update.routine?.name, 'f');
    const ação = update.text.indexOf('ação');
    assert.equal(text.slice(update.source.toDocument(ação), update.source.toDocument(ação + 4)), 'ação');
    assert.equal(update.source.rangeIsVerbatim(ação, ação + 4), true);
    assert.equal(
      update.source.rangeIsVerbatim(update.text.indexOf('"%I"'), update.text.indexOf('"%I"') + 4),
      false,
      'a placeholder is not text the user wrote',
    );
    // Inserted text is escaped for format() (a % doubled) and then for the quoted literal.
    assert.equal(update.source.encode("like 'b%'"), "like ''b%%''");
    assert.equal(remove.source.encode('50%'), '50%%');
    assert.equal(remove.plpgsql?.loopDepth, 0);
  });

  it('reports syntax errors inside cron commands at their position', () => {
    const text = "select cron.schedule('j', '* * * * *', 'delet from t');";
    const model = buildSqlFileModel(text);
    assert.deepEqual(
      model.syntaxErrors.map((error) => text.slice(error.start, error.end)),
      ['delet'],
    );
  });

  it('groups BEGIN … COMMIT into one transaction with its isolation level, and autocommits the rest', () => {
    const text = 'select 1;\nbegin isolation level repeatable read;\nselect 2;\nset transaction isolation level serializable;\ncommit;\nselect 3;';
    const model = buildSqlFileModel(text);
    const units = model.statements.map((statement) => statement.transaction);
    assert.notEqual(units[0], units[1]);
    assert.equal(units[1], units[2]);
    assert.equal(units[1], units[4]);
    assert.equal(units[1].isolation, 'repeatable read');
    assert.equal(units[5].kind, 'autocommit');
  });
});

describe('isolation levels: session defaults and setting scopes', () => {
  const levels = (text: string) => buildSqlFileModel(text).statements.map((statement) => [statement.text, statement.transaction.isolation]);

  it('gives later transactions the session default, until RESET; BEGIN and SET TRANSACTION override it; SET LOCAL does not carry over', () => {
    const text = [
      'set session characteristics as transaction isolation level repeatable read;',
      'begin;',
      'commit;',
      'begin isolation level serializable;',
      'commit;',
      'begin;',
      'set transaction isolation level read committed;',
      'commit;',
      "select 'autocommit';",
      "set local default_transaction_isolation = 'serializable';",
      'reset default_transaction_isolation;',
      'select 1;',
      "SET default_transaction_isolation TO 'READ UNCOMMITTED';",
      'begin;',
    ].join('\n');
    assert.deepEqual(levels(text), [
      ['set session characteristics as transaction isolation level repeatable read', undefined],
      ['begin', 'repeatable read'],
      ['commit', 'repeatable read'],
      ['begin isolation level serializable', 'serializable'],
      ['commit', 'serializable'],
      ['begin', 'read committed'],
      ['set transaction isolation level read committed', 'read committed'],
      ['commit', 'read committed'],
      ["select 'autocommit'", 'repeatable read'],
      ["set local default_transaction_isolation = 'serializable'", 'repeatable read'],
      ['reset default_transaction_isolation', 'repeatable read'],
      ['select 1', undefined],
      ["SET default_transaction_isolation TO 'READ UNCOMMITTED'", undefined],
      ['begin', 'read uncommitted'],
    ]);
  });

  it('runs a DO block at the level of the transaction that runs it, and a cron command at the level it begins with', () => {
    const text = [
      'begin isolation level repeatable read;',
      'do $$ begin perform 1; end $$;',
      'commit;',
      "select cron.schedule('j', '* * * * *', $$begin isolation level serializable; select 2; commit$$);",
      "select cron.schedule('k', '* * * * *', 'select 3');",
    ].join('\n');
    const model = buildSqlFileModel(text);
    const byText = (fragment: string) => model.statements.find((statement) => statement.origin !== 'file' && statement.text.includes(fragment))!.transaction;
    const body = model.statements.find((statement) => statement.origin === 'routine-body')!.transaction;
    assert.equal(body.kind, 'routine');
    assert.equal(body.isolation, 'repeatable read');
    assert.equal(byText('select 2').kind, 'scheduled');
    assert.equal(byText('select 2').isolation, 'serializable');
    assert.equal(byText('select 3').isolation, undefined);
  });

  it('lists the isolation each statement requests, with its scope', () => {
    const text = [
      'start transaction isolation level repeatable read, read only;',
      "set transaction_isolation = 'serializable';",
      "set local default_transaction_isolation = 'serializable';",
      'set session characteristics as transaction isolation level serializable;',
      "alter database app set default_transaction_isolation = 'serializable';",
      "alter role all in database app set default_transaction_isolation to 'serializable';",
      "alter user current_user set default_transaction_isolation = 'read committed';",
      "alter system set default_transaction_isolation = 'serializable';",
      "select set_config('default_transaction_isolation', 'serializable', false), set_config('default_transaction_isolation', 'serializable', true);",
      'discard all;',
      "set default_transaction_isolation = 'bogus';",
      'set session characteristics as transaction read only;',
    ].join('\n');
    const settings = buildSqlFileModel(text).statements.map((statement) =>
      isolationSettings(statement).map((setting) => [setting.scope, setting.level, setting.database, setting.role].filter(Boolean).join(' ')),
    );
    assert.deepEqual(settings, [
      ['transaction repeatable read'],
      ['transaction serializable'],
      ['local serializable'],
      ['session serializable'],
      ['database serializable app'],
      ['role serializable app ALL'],
      ['role read committed CURRENT_USER'],
      ['system serializable'],
      ['session serializable', 'local serializable'],
      ['session'],
      [],
      [],
    ]);
  });
});
