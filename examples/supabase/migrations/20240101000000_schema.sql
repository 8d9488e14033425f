-- Esquema de exemplo: sessões, pagamentos e um recurso protegido por fencing token.
create sequence if not exists public.fencing_tokens_seq;

create table public.sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null,
  expires_at timestamptz not null
);

create table public.payments (
  id uuid primary key default gen_random_uuid(),
  stripe_payment_intent_id text not null,
  amount_cents bigint not null,
  status text not null
);
create unique index payments_intent_key on public.payments (stripe_payment_intent_id);

create table public.locked_resource (
  id bigint primary key,
  last_token bigint not null default 0,
  value text
);
