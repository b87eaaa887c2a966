-- 0008 expire_sessions: the periodic job that marks in-progress sessions past expires_at as
-- `expired` (SPEC §4.3; reads already report them as expired, this makes it so in the table).
-- The app may update only its caller's own sessions, so the job calls a SECURITY DEFINER
-- function that runs as the owner. The owner's policies below allow exactly that transition
-- and nothing else: it sees only sessions past expiry that are (or, for the updated row that
-- PostgreSQL also checks against SELECT policies, have just become) expired, and may only
-- turn in-progress ones into expired ones, whatever the function's body says.

create policy onboarding_sessions_select_expire_owner on public.onboarding_sessions
  for select to onboardd_owner
  using (status in ('in_progress', 'expired') and expires_at <= now());
create policy onboarding_sessions_update_expire_owner on public.onboarding_sessions
  for update to onboardd_owner
  using (status = 'in_progress' and expires_at <= now())
  with check (status = 'expired');

-- The job's scan: only in-progress sessions are candidates.
create index onboarding_sessions_expiry_idx on public.onboarding_sessions (expires_at)
  where status = 'in_progress';

-- Marks at most max_rows (1..10000) stale sessions expired, oldest expiry first, skipping rows
-- another transaction holds (a user saving a step right now); returns how many it marked.
create function onboardd_private.expire_stale_sessions(max_rows integer default 1000)
  returns integer
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
  declare
    marked integer;
  begin
    with stale as (
      select s.id from public.onboarding_sessions s
      where s.status = 'in_progress' and s.expires_at <= now()
      order by s.expires_at
      limit greatest(1, least(coalesce(max_rows, 1000), 10000))
      for update skip locked)
    update public.onboarding_sessions s set status = 'expired'
      from stale where s.id = stale.id;
    get diagnostics marked = row_count;
    return marked;
  end
  $$;
grant execute on function onboardd_private.expire_stale_sessions(integer) to onboardd_app;
