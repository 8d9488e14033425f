-- Armadilhas clássicas. Rode: npx armadilha check examples

-- 1. Expiração calculada com o relógio de parede.
update public.sessions
set expires_at = clock_timestamp() + interval '1 hour'
where user_id = '00000000-0000-0000-0000-000000000001';

-- 2. Lock distribuído sem fencing token.
select pg_advisory_lock(hashtext('resource:42')), nextval('public.fencing_tokens_seq');
-- A sessão guarda o lock entre transações; o update faz commit sozinho.
-- Atrás de um pooler ele pode até sair por outra conexão.
update public.locked_resource set value = 'novo valor' where id = 42;
select pg_advisory_unlock(hashtext('resource:42'));

-- 3. Webhook de pagamento sem idempotência.
create or replace function public.handle_stripe_webhook(p_event jsonb) returns void
language plpgsql as $$
begin
  insert into public.payments (stripe_payment_intent_id, amount_cents, status)
  values (p_event->>'payment_intent', (p_event->>'amount')::bigint, 'succeeded');
end;
$$;

-- 4. Limpeza agendada que compara a expiração com o relógio de parede.
select cron.schedule('purge-sessions', '*/5 * * * *',
  $$delete from public.sessions where expires_at < clock_timestamp()$$);
