// SYNTAX TEST "source.ts" "SQL in tagged templates, /* sql */ templates, unsafe() and query calls"

// sql`…`: SQL keywords get SQL scopes, ${…} stays TypeScript.
const rows = await sql`select id, email from users where id = ${userId} and team = ${team.id}`;
//                 ^^^ entity.name.function.tagged-template.ts
//                    ^ string.template.ts punctuation.definition.string.template.begin.ts
//                     ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
//                                      ^^^^ meta.embedded.block.sql keyword.other.DML.sql
//                                                 ^^^^^ meta.embedded.block.sql keyword.other.DML.sql
//                                                            ^^ meta.embedded.block.sql meta.template.expression.ts punctuation.definition.template-expression.begin.ts
//                                                              ^^^^^^ meta.template.expression.ts meta.embedded.line.ts variable.other.readwrite.ts - keyword.other.DML.sql
//                                                                    ^ meta.embedded.block.sql meta.template.expression.ts punctuation.definition.template-expression.end.ts
//                                                                                   ^^^^ meta.template.expression.ts variable.other.object.ts
//                                                                                           ^ string.template.ts punctuation.definition.string.template.end.ts
const upper = SQL`SELECT 1`;
//            ^^^ entity.name.function.tagged-template.ts
//                ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
const query = Prisma.sql`select * from orders where id = ${orderId}`;
//            ^^^^^^ variable.other.object.ts
//                  ^ punctuation.accessor.ts
//                   ^^^ entity.name.function.tagged-template.ts
//                       ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
//                                                         ^^^^^^^ meta.template.expression.ts variable.other.readwrite.ts
const typed = await sql<User[]>`select * from users`;
//                      ^^^^ meta.type.parameters.ts entity.name.type.ts - meta.embedded.block.sql
//                              ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
const fragment = sql.fragment`and status = ${status}`;
//                   ^^^^^^^^ entity.name.function.tagged-template.ts
//                            ^^^ meta.embedded.block.sql keyword.other.DML.sql
const raw = sql.unsafe`delete from sessions`;
//              ^^^^^^ entity.name.function.tagged-template.ts
//                     ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
const users = await prisma.$queryRaw`select * from "User" where id = ${id}`;
//                         ^^^^^^^^^ entity.name.function.tagged-template.ts
//                                   ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
//                                                 ^^^^^^ meta.embedded.block.sql string.quoted.double.sql
//                                                                     ^^ meta.template.expression.ts variable.other.readwrite.ts

// A template passed to unsafe(…): SQL inside, the other arguments stay TypeScript.
await sql.unsafe(`select * from ${table} where id = $1`, [id]);
//        ^^^^^^ entity.name.function.ts
//                ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
//                                ^^^^^ meta.template.expression.ts variable.other.readwrite.ts
//                                                        ^^ variable.other.readwrite.ts - meta.embedded.block.sql
//                                                           ^ meta.brace.round.ts

// A query method (pg, knex, mysql2, pg-promise…) whose first argument is a template that begins like a
// statement, as the analyser asks of the text of a client it does not know.
await pool.query(`select * from users where id = $1`, [id]);
//         ^^^^^ entity.name.function.ts
//                ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
//                                                     ^^ variable.other.readwrite.ts - meta.embedded.block.sql
const account = await db.oneOrNone<Account>(`UPDATE accounts SET balance = balance - ${amount}`);
//                       ^^^^^^^^^ entity.name.function.ts
//                                 ^^^^^^^ meta.type.parameters.ts entity.name.type.ts - meta.embedded.block.sql
//                                           ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
//                                                                                     ^^^^^^ meta.template.expression.ts variable.other.readwrite.ts
await knex.raw(`-- keep the lock\nselect pg_advisory_lock(1)`);
//              ^^ meta.embedded.block.sql comment.line.double-dash.sql
await this.client.query(`
//                      ^ string.template.ts punctuation.definition.string.template.begin.ts
  insert into audit (kind) values ($1)`, [kind]);
//^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
//                                        ^^^^ variable.other.readwrite.ts - meta.embedded.block.sql
// Not SQL: a template that does not begin like a statement, a call with no receiver, a later argument.
const result = await client.query(`{ viewer { login } }`);
//                                   ^^^^^^ string.template.ts - meta.embedded.block.sql
await query(`select 1`);
//           ^^^^^^ string.template.ts - meta.embedded.block.sql
await cache.execute(`hello ${name}`, `select`);
//                   ^^^^^ string.template.ts - meta.embedded.block.sql
//                                    ^^^^^^ string.template.ts - meta.embedded.block.sql

// The /* sql */ marker.
const marked = /* sql */ `update orders set status = 'paid' where id = ${id}`;
//             ^^ comment.block.ts punctuation.definition.comment.ts
//                ^^^ comment.block.ts
//                       ^ string.template.ts punctuation.definition.string.template.begin.ts
//                        ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
//                                                   ^^^^^^ meta.embedded.block.sql string.quoted.single.sql
//                                                                       ^^ meta.template.expression.ts variable.other.readwrite.ts
await client.query(/*SQL*/ `insert into audit (kind) values ($1)`, [kind]);
//                          ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
//                                                                  ^^^^ variable.other.readwrite.ts - meta.embedded.block.sql

// Over several lines, with comments, strings and operators that must not swallow the closing backtick.
const report = sql`
//                ^ string.template.ts punctuation.definition.string.template.begin.ts
  select payload #>> '{order,id}' as order_id, note
//^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
//               ^^^ meta.embedded.block.sql keyword.operator.sql
//                   ^^^^^^^^^^^^ meta.embedded.block.sql string.quoted.single.sql
  from events -- newest first, at most ${limit}
//^^^^ meta.embedded.block.sql keyword.other.DML.sql
//            ^^ meta.embedded.block.sql comment.line.double-dash.sql
//                                       ^^^^^ comment.line.double-dash.sql meta.template.expression.ts variable.other.readwrite.ts
  where note = 'it''s ${name}' /* ${x} */
//^^^^^ meta.embedded.block.sql keyword.other.DML.sql
//             ^ meta.embedded.block.sql string.quoted.single.sql
//                      ^^^^ string.quoted.single.sql meta.template.expression.ts variable.other.readwrite.ts
//                             ^^ meta.embedded.block.sql comment.block.sql
//                                  ^ comment.block.sql meta.template.expression.ts variable.other.readwrite.ts
  order by id desc -- ends here`;
//^^^^^ meta.embedded.block.sql keyword.other.DML.sql
//                             ^ string.template.ts punctuation.definition.string.template.end.ts
after(report);
// <----- entity.name.function.ts - meta.embedded.block.sql

// sql`…` nested in a substitution, and a table named sql right before the closing backtick.
const nested = sql`select * from t ${cond ? sql`where a = ${b}` : sql``}`;
//                                              ^^^^^ meta.embedded.block.sql keyword.other.DML.sql
//                                                          ^ meta.template.expression.ts variable.other.readwrite.ts
//                                                                      ^ string.template.ts punctuation.definition.string.template.end.ts
const fromSql = sql`select * from sql`;
//                                   ^ string.template.ts punctuation.definition.string.template.end.ts
done(fromSql);
// <---- entity.name.function.ts - meta.embedded.block.sql

class Repository {
  find(id: string) {
    return this.sql`select * from items where id = ${id}`;
//         ^^^^ variable.language.this.ts
//              ^^^ entity.name.function.tagged-template.ts
//                  ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
  }
}

// Not SQL: other tags, identifiers ending in sql, strings and comments that mention sql`.
const page = html`<select>from</select>`;
//                 ^^^^^^ string.template.ts - keyword.other.DML.sql meta.embedded.block.sql
//                        ^^^^ string.template.ts - meta.embedded.block.sql
const other = mysql`select 1`;
//                  ^^^^^^ string.template.ts - meta.embedded.block.sql
const label = t`Update available`;
//              ^^^^^^ string.template.ts - meta.embedded.block.sql
const text = "use sql`select` here";
//                    ^^^^^^ string.quoted.double.ts - meta.embedded.block.sql
const plain = `select * from users`;
//             ^^^^^^ string.template.ts - meta.embedded.block.sql
// sql`select`
//     ^^^^^^ comment.line.double-slash.ts - meta.embedded.block.sql
