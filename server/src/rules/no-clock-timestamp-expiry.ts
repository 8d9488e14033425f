import { defineRule } from '../core/rule';
import { clockUses } from './sql/clock';
import { replaceWithNow } from './sql/now-fix';

export default defineRule({
  id: 'no-clock-timestamp-expiry',
  severity: 'warning',
  languages: ['sql'],
  // Each statement alone (its transaction's kind and isolation at most): re-run only where an edit changed it.
  reads: 'statement',
  fix: 'safe',
  skill: { name: 'armadilhas-sistemas-distribuidos', section: 'REGRA #1; REQ ARMADILHAS-01; anti-pattern 1' },
  settings: [
    {
      key: 'expiryColumns',
      default: ['*expires_at*', '*_expires*', 'expir*', '*_until*', 'valid_until', '*deadline*', 'lease*', 'ttl*', '*_timeout*', 'vt', 'visible_at'],
      description: {
        en: 'Column names (globs with *, matched against the whole name) that hold an expiry, lease or visibility instant; a wall-clock value written to or compared with them is reported.',
        'pt-BR':
          'Nomes de colunas (globs com *, comparados com o nome inteiro) que guardam um instante de expiração, lease ou visibilidade; um valor de relógio de parede escrito nelas ou comparado com elas é reportado.',
      },
    },
  ],
  text: {
    en: {
      message: '{function}() reads the wall clock, which NTP can move backwards or forwards, and its value decides an expiry here{column}. {advice}',
      summary: 'Expiry, TTL and lease times must come from now(), not from the wall clock.',
      rationale:
        'clock_timestamp() and timeofday() return the machine\'s real-time clock at the moment of the call, and statement_timestamp() changes from one statement to the next. The real-time clock is corrected by NTP and can jump in either direction, so an expiry computed from it can be born already expired, or outlive its intended lifetime; two statements of the same transaction can also disagree about "now". When several nodes write and check expiries, these skews compound.',
      remedy:
        "Compute and check expiry instants with now() (an alias of transaction_timestamp(), also written current_timestamp), which is fixed for the whole transaction: write expires_at = now() + interval '1 hour' when the token is created and compare expires_at > now() when it is used. The same holds for leases and visibility timeouts (locked_until, vt) and for SQL built with format() and run by EXECUTE. Keep clock_timestamp() for measuring how long something took inside a transaction. Because now() stands still for the whole transaction, a routine that loops or sleeps and expects time to pass (a poll for messages becoming visible) must not simply switch to it: the fix is offered without being applied automatically in a loop, and not at all in a loop that sleeps between readings; there, poll from the caller, one transaction per attempt. Inside a function or an explicit transaction the fix is offered for review too: a caller's long transaction makes now() older than the moment the statement runs, so a lease set from it is shorter (queue libraries choose clock_timestamp() there on purpose); weigh that against clock steps.",
      fixes: { replaceWithNow: 'Replace {function}() with now()' },
      variants: {
        once: 'Use now() (the transaction start time) so expiry stays consistent.',
        loop: 'Use now() (the transaction start time) so expiry stays consistent; this runs in a loop, where now() does not advance between iterations, so check the loop before applying the fix.',
        poll: 'This runs in a loop that sleeps and reads the clock again, and now() would not advance within its transaction: decide expiry with now() in one transaction per attempt (poll from the caller) rather than replacing the call here.',
      },
    },
    'pt-BR': {
      message: '{function}() lê o relógio de parede, que o NTP pode adiantar ou atrasar, e aqui o valor decide uma expiração{column}. {advice}',
      summary: 'Instantes de expiração, TTL e lease devem vir de now(), não do relógio de parede.',
      rationale:
        'clock_timestamp() e timeofday() devolvem o relógio real da máquina no momento da chamada, e statement_timestamp() muda de um comando para o outro. O relógio real é corrigido pelo NTP e pode saltar para qualquer lado, então uma expiração calculada com ele pode nascer já vencida ou durar mais do que deveria; dois comandos da mesma transação podem até discordar sobre o "agora". Quando vários nós gravam e conferem expirações, essas diferenças se somam.',
      remedy:
        "Calcule e confira instantes de expiração com now() (sinônimo de transaction_timestamp(), também escrito current_timestamp), que é fixo durante toda a transação: grave expires_at = now() + interval '1 hour' ao criar o token e compare expires_at > now() ao usá-lo. O mesmo vale para leases e timeouts de visibilidade (locked_until, vt) e para SQL montado com format() e executado por EXECUTE. Deixe clock_timestamp() para medir quanto tempo algo levou dentro de uma transação. Como now() fica parado durante toda a transação, uma rotina que repete ou dorme esperando o tempo passar (um polling por mensagens que ficam visíveis) não pode simplesmente trocar para ele: o fix é oferecido sem ser aplicado automaticamente dentro de um laço, e não é oferecido num laço que dorme entre as leituras; ali, faça o polling a partir de quem chama, uma transação por tentativa. Dentro de uma função ou de uma transação explícita o fix também é só oferecido para revisão: a transação longa de quem chama deixa now() mais antigo do que o momento em que a instrução roda, e um lease calculado a partir dele fica mais curto (bibliotecas de fila escolhem clock_timestamp() ali de propósito); pese isso contra os saltos do relógio.",
      fixes: { replaceWithNow: 'Trocar {function}() por now()' },
      variants: {
        once: 'Use now() (o início da transação) para que a expiração fique consistente.',
        loop: 'Use now() (o início da transação) para que a expiração fique consistente; isto roda num laço, onde now() não avança entre as iterações, então confira o laço antes de aplicar o fix.',
        poll: 'Isto roda num laço que dorme e lê o relógio de novo, e now() não avançaria dentro da sua transação: decida a expiração com now() numa transação por tentativa (polling a partir de quem chama) em vez de trocar a chamada aqui.',
      },
    },
  },
  examples: {
    invalid: [
      {
        code: "update public.sessions set expires_at = clock_timestamp() + interval '1 hour' where id = 1;",
        fixed: "update public.sessions set expires_at = now() + interval '1 hour' where id = 1;",
        schema: 'create table public.sessions (id bigint primary key, expires_at timestamptz);',
      },
      {
        code: "insert into api_tokens (token, expires_at) values ('t-1', timeofday()::timestamptz + interval '24 hours');",
        fixed: "insert into api_tokens (token, expires_at) values ('t-1', now()::timestamptz + interval '24 hours');",
        schema: 'create table api_tokens (token text primary key, expires_at timestamptz);',
      },
      {
        code: 'delete from leases where lease_until < clock_timestamp();',
        fixed: 'delete from leases where lease_until < now();',
        schema: 'create table leases (id int primary key, lease_until timestamptz);',
      },
      {
        code: [
          'create function public.issue_invite(p_email text) returns void language plpgsql as $$',
          'declare',
          '  v_deadline timestamptz;',
          'begin',
          "  v_deadline := clock_timestamp() + interval '7 days';",
          '  insert into public.invites (email, valid_until) values (p_email, v_deadline);',
          'end $$;',
        ].join('\n'),
        fixed: [
          'create function public.issue_invite(p_email text) returns void language plpgsql as $$',
          'declare',
          '  v_deadline timestamptz;',
          'begin',
          "  v_deadline := now() + interval '7 days';",
          '  insert into public.invites (email, valid_until) values (p_email, v_deadline);',
          'end $$;',
        ].join('\n'),
        schema: 'create table public.invites (email text primary key, valid_until timestamptz);',
        // Inside a function: offered for review (a caller's long transaction makes now() older).
        safe: false,
      },
      {
        code: [
          'create function public.pop_message(p_queue text) returns setof public.queue_messages language plpgsql as $$',
          'begin',
          "  return query execute format('delete from public.%I where id = (select id from public.%I where vt <= clock_timestamp() order by id limit 1 for update skip locked) returning *', p_queue, p_queue);",
          'end $$;',
        ].join('\n'),
        fixed: [
          'create function public.pop_message(p_queue text) returns setof public.queue_messages language plpgsql as $$',
          'begin',
          "  return query execute format('delete from public.%I where id = (select id from public.%I where vt <= now() order by id limit 1 for update skip locked) returning *', p_queue, p_queue);",
          'end $$;',
        ].join('\n'),
        schema: 'create table public.queue_messages (id bigserial primary key, vt timestamptz not null, message jsonb);',
        // Inside a function: offered for review (a caller's long transaction makes now() older).
        safe: false,
      },
      {
        code: [
          'create function public.is_locked(p_id bigint) returns boolean language plpgsql as $$',
          'declare v_now bigint := (extract(epoch from clock_timestamp()) * 1000)::bigint;',
          'begin',
          '  return exists (select 1 from public.jobs where id = p_id and locked_until_ms > v_now);',
          'end $$;',
        ].join('\n'),
        fixed: [
          'create function public.is_locked(p_id bigint) returns boolean language plpgsql as $$',
          'declare v_now bigint := (extract(epoch from now()) * 1000)::bigint;',
          'begin',
          '  return exists (select 1 from public.jobs where id = p_id and locked_until_ms > v_now);',
          'end $$;',
        ].join('\n'),
        schema: 'create table public.jobs (id bigint primary key, locked_until_ms bigint);',
        // Inside a function: offered for review (a caller's long transaction makes now() older).
        safe: false,
      },
    ],
    valid: [
      "update public.sessions set expires_at = now() + interval '1 hour' where id = 1;",
      'select * from api_tokens where token = $1 and expires_at > now();',
      'select clock_timestamp() - statement_timestamp() as elapsed;',
      [
        'do $$',
        'declare',
        '  t0 timestamptz := clock_timestamp();',
        'begin',
        '  perform pg_sleep(0);',
        "  raise notice 'took %', clock_timestamp() - t0;",
        'end $$;',
      ].join('\n'),
      [
        'do $$',
        "declare v_wait_until timestamptz := clock_timestamp() + interval '2 seconds';",
        'begin',
        '  -- a deadline of the loop itself: now() would not advance here',
        '  while clock_timestamp() < v_wait_until loop',
        '    perform pg_sleep(0.1);',
        '  end loop;',
        'end $$;',
      ].join('\n'),
    ],
  },
  check(context) {
    for (const use of clockUses(context)) {
      if (use.kind !== 'expiry') continue;
      const range = use.statement.rangeOf({ location: use.call.location });
      context.report({
        ...range,
        anchor: use.statement.start,
        data: { function: use.function, column: use.column ? ` (${use.column})` : '' },
        variants: { advice: use.repetition },
        fixes: replaceWithNow(use),
      });
    }
  },
});
