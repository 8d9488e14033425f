// SYNTAX TEST "source.js" "SQL templates in JavaScript"

const rows = await sql`select * from users where id = ${userId}`;
//                 ^^^ entity.name.function.tagged-template.ts
//                     ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
//                                                      ^^^^^^ meta.template.expression.ts variable.other.readwrite.ts - keyword.other.DML.sql
const marked = /* sql */ `delete from sessions where expires_at < now()`;
//                        ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
const { rows } = await pool.query(`select * from users`);
//                                 ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
const page = html`<select></select>`;
//                 ^^^^^^ string.template.js - meta.embedded.block.sql
next(rows);
// <---- entity.name.function.js - meta.embedded.block.sql
