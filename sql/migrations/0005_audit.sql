-- 0005 audit: an append-only log of every mutation, hash-chained per organization.
--
-- The app inserts (actor = the caller; organization = one it belongs to, or NULL for the
-- user's own data before any organization exists) and never updates or deletes: it has no
-- privilege for that, and a trigger refuses UPDATE, DELETE and TRUNCATE for every role.
-- Org admins read their organization's rows; the app cannot read its own inserts otherwise,
-- so do not use INSERT ... RETURNING here.
--
-- The chain: rows of one organization (chain_key 'org:<uuid>'; rows without organization
-- chain per actor, 'user:<sub>') form a sequence chain_seq = 1, 2, ... where
--   hash = onboardd_private.audit_row_hash(row)  -- sha256 over prev_hash and the row
-- and prev_hash is the previous row's hash (NULL for the first). A BEFORE INSERT trigger
-- (SECURITY DEFINER) computes them from onboardd_private.audit_chain_heads, whose row for the
-- chain it locks FOR UPDATE: concurrent inserts into one chain serialize on that row lock
-- (commit order = chain order; under REPEATABLE READ a concurrent writer gets a
-- serialization failure, which the client retries), while different organizations never
-- wait for each other. onboardd_private.audit_verify() recomputes every chain.

create table public.audit_log (
  id bigint generated always as identity primary key,
  organization_id uuid,  -- no foreign key: the log outlives what it describes
  actor_id text not null check (char_length(actor_id) between 1 and 255),
  action text not null check (action ~ '^[a-z][a-z0-9_.:-]{0,63}$'),
  entity_type text not null check (entity_type ~ '^[a-z][a-z0-9_]{0,63}$'),
  entity_id text check (char_length(entity_id) <= 255),
  request_id text check (char_length(request_id) <= 128),
  ip inet,
  details jsonb not null default '{}' check (jsonb_typeof(details) = 'object'),
  chain_key text not null,
  chain_seq bigint not null,
  prev_hash text,
  hash text not null,
  created_at timestamptz not null default now(),
  unique (chain_key, chain_seq)
);
create index audit_log_organization_idx on public.audit_log (organization_id, created_at desc)
  where organization_id is not null;
create index audit_log_actor_idx on public.audit_log (actor_id, created_at desc);

create table onboardd_private.audit_chain_heads (
  chain_key text primary key,
  last_seq bigint not null default 0,
  last_hash text
);

-- The row's hash. Its input is a JSON array (unambiguous, and jsonb's text form is
-- canonical); created_at enters as epoch seconds so the session's TimeZone cannot change it.
create function onboardd_private.audit_row_hash(r public.audit_log) returns text
  language sql immutable parallel safe
  set search_path = pg_catalog, pg_temp
  as $$
    select encode(sha256(convert_to(jsonb_build_array(
      r.prev_hash, r.chain_key, r.chain_seq, r.id, r.organization_id, r.actor_id, r.action,
      r.entity_type, r.entity_id, r.request_id, host(r.ip), r.details,
      extract(epoch from r.created_at))::text, 'UTF8')), 'hex')
  $$;

create function onboardd_private.audit_log_chain() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
  declare
    head onboardd_private.audit_chain_heads;
  begin
    new.created_at := now();
    new.request_id := coalesce(new.request_id, onboardd_private.current_request_id());
    new.chain_key := coalesce('org:' || new.organization_id::text, 'user:' || new.actor_id);
    insert into onboardd_private.audit_chain_heads (chain_key) values (new.chain_key)
      on conflict (chain_key) do nothing;
    select * into strict head from onboardd_private.audit_chain_heads h
      where h.chain_key = new.chain_key for update;
    new.chain_seq := head.last_seq + 1;
    new.prev_hash := head.last_hash;
    new.hash := onboardd_private.audit_row_hash(new);
    update onboardd_private.audit_chain_heads
      set last_seq = new.chain_seq, last_hash = new.hash
      where chain_key = new.chain_key;
    return new;
  end
  $$;
create trigger audit_log_chain before insert on public.audit_log
  for each row execute function onboardd_private.audit_log_chain();

create function onboardd_private.audit_log_immutable() returns trigger
  language plpgsql
  as $$
  begin
    raise exception 'audit_log is append-only' using errcode = 'insufficient_privilege';
  end
  $$;
create trigger audit_log_no_update before update or delete on public.audit_log
  for each row execute function onboardd_private.audit_log_immutable();
create trigger audit_log_no_truncate before truncate on public.audit_log
  for each statement execute function onboardd_private.audit_log_immutable();

-- Every chain with the first row that does not verify (NULL: the chain is intact). Run as
-- onboardd_owner (`onboardd audit verify`); the app may not call it.
create function onboardd_private.audit_verify()
  returns table (chain_key text, row_count bigint, first_bad_seq bigint)
  language sql stable
  set search_path = pg_catalog, pg_temp
  as $$
    with checked as (
      select a.chain_key, a.chain_seq,
             a.hash = onboardd_private.audit_row_hash(a)
               and a.prev_hash is not distinct from
                   lag(a.hash) over (partition by a.chain_key order by a.chain_seq)
               and a.chain_seq = row_number() over (partition by a.chain_key
                                                    order by a.chain_seq) as ok
      from public.audit_log a)
    select c.chain_key, count(*), min(c.chain_seq) filter (where not c.ok)
    from checked c group by c.chain_key order by c.chain_key
  $$;

alter table public.audit_log enable row level security;
alter table public.audit_log force row level security;
create policy audit_log_select_app on public.audit_log for select to onboardd_app
  using (organization_id = any ((select onboardd_private.admin_org_ids())::uuid[]));
create policy audit_log_insert_app on public.audit_log for insert to onboardd_app
  with check (actor_id = (select onboardd_private.current_user_id())
              and (organization_id is null
                   or organization_id = any ((select onboardd_private.member_org_ids())::uuid[])));
-- The operator's view, for audit_verify().
create policy audit_log_select_owner on public.audit_log for select to onboardd_owner
  using (true);
grant select, insert on public.audit_log to onboardd_app;

alter table onboardd_private.audit_chain_heads enable row level security;
alter table onboardd_private.audit_chain_heads force row level security;
-- Only the owner (the chain trigger) touches heads; the app has no privilege on the table.
create policy audit_chain_heads_all_owner on onboardd_private.audit_chain_heads
  for all to onboardd_owner using (true) with check (true);
