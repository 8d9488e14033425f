// SYNTAX TEST "source.tsx" "SQL templates in TSX"

const rows = await sql<Row[]>`select * from users where id = ${userId}`;
//                     ^^^ meta.type.parameters.ts entity.name.type.ts - meta.embedded.block.sql
//                            ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
//                                                             ^^^^^^ meta.template.expression.ts variable.other.readwrite.ts
const view = <Query text={sql`select 1`} />;
//                            ^^^^^^ meta.embedded.block.sql keyword.other.DML.sql
//            ^^^^^ entity.name.tag.tsx - meta.embedded.block.sql
