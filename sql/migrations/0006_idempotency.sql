-- 0006 idempotency: Idempotency-Key on every POST (SPEC §4.1). One row per (user, key):
-- inserted when the request starts (response_status NULL = in flight), completed with the
-- response to replay. A key reused on another route or with another request hash is the
-- server's conflict to report. Rows are the user's own; expired ones are deleted by the
-- server (its own) or by an operator.

create table public.idempotency_keys (
  user_id text not null check (char_length(user_id) between 1 and 255),
  key text not null check (char_length(key) between 1 and 255),
  route text not null check (char_length(route) between 1 and 200),
  request_hash text not null check (char_length(request_hash) <= 128),
  response_status integer check (response_status between 100 and 599),
  response_body text,
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  expires_at timestamptz not null default now() + interval '24 hours',
  primary key (user_id, key)
);
create index idempotency_keys_expires_idx on public.idempotency_keys (expires_at);

alter table public.idempotency_keys enable row level security;
alter table public.idempotency_keys force row level security;
create policy idempotency_keys_select_app on public.idempotency_keys for select to onboardd_app
  using (user_id = (select onboardd_private.current_user_id()));
create policy idempotency_keys_insert_app on public.idempotency_keys for insert to onboardd_app
  with check (user_id = (select onboardd_private.current_user_id()));
create policy idempotency_keys_update_app on public.idempotency_keys for update to onboardd_app
  using (user_id = (select onboardd_private.current_user_id()))
  with check (user_id = (select onboardd_private.current_user_id()));
create policy idempotency_keys_delete_app on public.idempotency_keys for delete to onboardd_app
  using (user_id = (select onboardd_private.current_user_id()));
grant select, insert, update, delete on public.idempotency_keys to onboardd_app;
