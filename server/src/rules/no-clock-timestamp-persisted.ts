import { defineRule } from '../core/rule';
import { clockUses } from './sql/clock';
import { replaceWithNow } from './sql/now-fix';

export default defineRule({
  id: 'no-clock-timestamp-persisted',
  severity: 'warning',
  languages: ['sql'],
  // Each statement alone (its transaction's kind and isolation at most): re-run only where an edit changed it.
  reads: 'statement',
  fix: 'safe',
  skill: { name: 'armadilhas-sistemas-distribuidos', section: 'REGRA #1; REQ ARMADILHAS-01; anti-pattern 5' },
  text: {
    en: {
      message:
        '{function}() writes a wall-clock reading into a row{column}. Rows stamped by different nodes with their own clocks do not sort in the order things happened; store now() and order by a sequence instead.',
      summary: 'Timestamps stored in rows should come from now(), not from the wall clock.',
      rationale:
        'Each node has its own real-time clock, and NTP corrections make it jump. A row stamped with clock_timestamp() or timeofday() carries that node\'s clock reading: rows written by different nodes can appear out of causal order by tens of milliseconds or more, and a single transaction can write several different "current" times. Anything that later sorts or compares these columns (event feeds, audit trails, "latest wins" logic) inherits the skew.',
      remedy:
        'Store now() (the start of the writing transaction), which is the same for every row a transaction writes. When the order of events matters, order by a value from a sequence (a bigserial id or nextval()) rather than by time. A reading that is not kept as a time is not reported: a duration (clock_timestamp() - t0), or the clock hashed or mixed with random() to make an identifier (md5(random()::text || clock_timestamp()::text)).',
      fixes: { replaceWithNow: 'Replace {function}() with now()' },
    },
    'pt-BR': {
      message:
        '{function}() grava uma leitura do relógio de parede em uma linha{column}. Linhas carimbadas por nós diferentes, cada um com seu relógio, não se ordenam na ordem em que as coisas aconteceram; grave now() e ordene por uma sequence.',
      summary: 'Timestamps gravados em linhas devem vir de now(), não do relógio de parede.',
      rationale:
        'Cada nó tem seu próprio relógio real, e as correções do NTP o fazem saltar. Uma linha carimbada com clock_timestamp() ou timeofday() leva a leitura do relógio daquele nó: linhas gravadas por nós diferentes podem aparecer fora da ordem causal por dezenas de milissegundos ou mais, e uma única transação pode gravar vários "agoras" diferentes. Tudo o que depois ordena ou compara essas colunas (feeds de eventos, trilhas de auditoria, lógica de "o último vence") herda essa diferença.',
      remedy:
        'Grave now() (o início da transação que escreve), que é o mesmo para todas as linhas que uma transação grava. Quando a ordem dos eventos importa, ordene por um valor de sequence (um id bigserial ou nextval()) e não pelo tempo. Uma leitura que não é guardada como tempo não é reportada: uma duração (clock_timestamp() - t0), ou o relógio passado por um hash ou misturado com random() para montar um identificador (md5(random()::text || clock_timestamp()::text)).',
      fixes: { replaceWithNow: 'Trocar {function}() por now()' },
    },
  },
  examples: {
    invalid: [
      {
        code: "insert into public.events (kind, payload, occurred_at) values ('user_action', '{}', clock_timestamp());",
        fixed: "insert into public.events (kind, payload, occurred_at) values ('user_action', '{}', now());",
        schema: 'create table public.events (id bigserial primary key, kind text, payload jsonb, occurred_at timestamptz);',
      },
      {
        code: 'create table audit_entries (id bigserial primary key, recorded_at timestamptz not null default clock_timestamp());',
        fixed: 'create table audit_entries (id bigserial primary key, recorded_at timestamptz not null default now());',
      },
      {
        code: [
          'create function touch_updated_at() returns trigger language plpgsql as $$',
          'begin',
          '  new.updated_at := clock_timestamp();',
          '  return new;',
          'end $$;',
        ].join('\n'),
        fixed: [
          'create function touch_updated_at() returns trigger language plpgsql as $$',
          'begin',
          '  new.updated_at := now();',
          '  return new;',
          'end $$;',
        ].join('\n'),
      },
    ],
    valid: [
      "insert into public.events (kind, payload, occurred_at) values ('user_action', '{}', now());",
      'select clock_timestamp();',
      "update public.sessions set expires_at = clock_timestamp() + interval '1 hour' where id = 1; -- reported by no-clock-timestamp-expiry",
      'insert into public.api_keys (key) values (md5(random()::text || clock_timestamp()::text));',
      [
        'create function measure() returns interval language plpgsql as $$',
        'declare t0 timestamptz := clock_timestamp();',
        'begin',
        '  perform pg_sleep(0);',
        '  return clock_timestamp() - t0;',
        'end $$;',
      ].join('\n'),
    ],
  },
  check(context) {
    for (const use of clockUses(context)) {
      if (use.kind !== 'persisted') continue;
      context.report({
        ...use.statement.rangeOf({ location: use.call.location }),
        anchor: use.statement.start,
        data: { function: use.function, column: use.column ? ` (${use.column})` : '' },
        fixes: replaceWithNow(use),
      });
    }
  },
});
