-- 0001 foundation: the private schema that holds identity helpers and trigger functions, the
-- defaults every later migration relies on, and row security on schema_migrations.
--
-- Design (read this before adding a table):
-- * Two roles (sql/bootstrap.sql): onboardd_owner runs migrations and owns everything;
--   onboardd_app is what the server connects as. Neither bypasses RLS, and every table has
--   RLS ENABLED and FORCED, so even the owner sees only what a policy grants it.
-- * The request's identity reaches SQL only through transaction-local settings app.user_id,
--   app.org_id and app.request_id (set_config(..., true), db/tenant_transaction.cpp). The
--   helpers below read them; a missing or empty setting yields NULL, which no policy matches:
--   a missing identity sees nothing and writes nothing.
-- * Policies are per command and per role: `TO onboardd_app` policies express the product's
--   rules; `TO onboardd_owner` policies are narrow and exist only so that SECURITY DEFINER
--   helpers (which run as the owner, still under FORCE RLS) can do their one job.
-- * Policies wrap helpers as `(select onboardd_private.f())` so the planner evaluates them
--   once per statement (an InitPlan) instead of once per row.
-- * The app may USE onboardd_private (to call the helpers) but owns and creates nothing there.

create schema onboardd_private;
revoke all on schema onboardd_private from public;
grant usage on schema onboardd_private to onboardd_app;

-- Functions are not executable by PUBLIC unless a migration grants it explicitly.
alter default privileges revoke execute on functions from public;
revoke execute on all functions in schema onboardd_private from public;

-- The request's user (the JWT sub), or NULL.
create function onboardd_private.current_user_id() returns text
  language sql stable parallel safe
  as $$ select nullif(current_setting('app.user_id', true), '') $$;

-- The request's active organization, or NULL when unset or not a well-formed uuid. It is a
-- hint for queries (the active tenant); policies never trust it: membership is the check.
create function onboardd_private.current_org_id() returns uuid
  language sql stable parallel safe
  as $$
    select case when s ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                then s::uuid end
    from (select current_setting('app.org_id', true) as s) as setting
  $$;

-- The request id, recorded in audit rows.
create function onboardd_private.current_request_id() returns text
  language sql stable parallel safe
  as $$ select nullif(current_setting('app.request_id', true), '') $$;

grant execute on function onboardd_private.current_user_id(),
  onboardd_private.current_org_id(), onboardd_private.current_request_id() to onboardd_app;

-- BEFORE UPDATE trigger: updated_at is the time of the last write, whatever the client sent.
create function onboardd_private.touch_updated_at() returns trigger
  language plpgsql
  as $$
  begin
    new.updated_at := now();
    return new;
  end
  $$;

-- schema_migrations is created by the migrations runner (src/db/migrator.cpp) before this
-- file runs. The app may read it (GET /readyz compares it with the binary's migrations).
alter table public.schema_migrations enable row level security;
alter table public.schema_migrations force row level security;
create policy schema_migrations_all_owner on public.schema_migrations
  for all to onboardd_owner using (true) with check (true);
create policy schema_migrations_select_app on public.schema_migrations
  for select to onboardd_app using (true);
grant usage on schema public to onboardd_app;
grant select on public.schema_migrations to onboardd_app;
