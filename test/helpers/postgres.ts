// Real PostgreSQL, in-process (PGlite), to prove that SQL produced by fixes and snippets runs.
// Extensions the examples call but PGlite does not ship (pgmq, pg_cron) get minimal stand-ins with the
// real signatures, so that statements calling them are planned and executed for real.
import { PGlite } from '@electric-sql/pglite';

const STAND_INS = `
create schema if not exists pgmq;
create table if not exists pgmq.messages (queue text, msg_id bigserial primary key, read_ct int not null default 0, enqueued_at timestamptz not null default now(), vt timestamptz not null default now(), message jsonb);
create or replace function pgmq.send(queue_name text, msg jsonb, delay integer default 0) returns setof bigint language sql as $$ insert into pgmq.messages (queue, message) values (queue_name, msg) returning msg_id $$;
create or replace function pgmq.read(queue_name text, vt integer, qty integer) returns setof pgmq.messages language sql as $$ select * from pgmq.messages where queue = queue_name limit qty $$;
create or replace function pgmq.pop(queue_name text) returns setof pgmq.messages language sql as $$ delete from pgmq.messages where msg_id = (select min(msg_id) from pgmq.messages where queue = queue_name) returning * $$;
create or replace function pgmq.delete(queue_name text, msg_id bigint) returns boolean language sql as $$ select true $$;
create or replace function pgmq.archive(queue_name text, msg_id bigint) returns boolean language sql as $$ select true $$;
create schema if not exists cron;
create or replace function cron.schedule(job_name text, schedule text, command text) returns bigint language sql as $$ select 1::bigint $$;
create or replace function cron.schedule(schedule text, command text) returns bigint language sql as $$ select 1::bigint $$;
`;

/** A fresh database with the stand-ins installed. */
export async function freshDatabase(): Promise<PGlite> {
  const database = new PGlite();
  await database.exec(STAND_INS);
  return database;
}

let shared: Promise<PGlite> | undefined;

/**
 * Runs a script (DDL first, then the code) and returns the error message, or undefined when it ran.
 * One database serves every call (starting PGlite takes a second); the public schema is dropped and
 * re-created after each run, so runs do not see each other's tables.
 */
export async function runsOnPostgres(code: string, schema = ''): Promise<string | undefined> {
  shared ??= freshDatabase();
  const database = await shared;
  try {
    if (schema) await database.exec(schema);
    await database.exec(code);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await database.exec('rollback').catch(() => undefined);
    await database.exec('drop schema public cascade; create schema public;');
  }
}

export async function closeDatabase(): Promise<void> {
  if (shared) await (await shared).close();
  shared = undefined;
}
