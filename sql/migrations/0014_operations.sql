-- operations: audit rows for session expiry, funnel analytics (a rollup kept by triggers and
-- one SECURITY DEFINER report), idempotency-key purging, and the detailed audit-chain check
-- behind `onboardd audit verify`. Nothing here depends on this file's number.
--
-- Analytics in one paragraph (sql/README.md has the whole argument). Sessions are each
-- user's own, so no request may read other users' sessions, yet an organization's admins
-- want their funnel and the operator wants everyone's. onboarding_analytics() is the one door:
-- SECURITY DEFINER (it runs as the owner), it first decides who may see what — an admin of
-- the organization asked for (admin_org_ids(), the caller's identity), or the operator (the
-- transaction-local app.ops the server sets only after comparing OPS_TOKEN) — then sets
-- app.analytics_scope for its own duration only (it puts the caller's value back before it
-- returns) and answers aggregates, never rows. The owner's SELECT policies added below open
-- sessions, memberships and AI suggestions to the owner only within that scope, so a bug in
-- the report's body still cannot read outside it.
--
-- The operator's report must stay fast with millions of sessions, so it reads a daily rollup
-- instead of the sessions: triggers on onboarding_sessions and organizations append one row
-- per change of a session's outcome to analytics_deltas in the writing transaction (an
-- insert: writers never wait for each other, unlike an upsert on a shared counter row), and
-- compact_analytics() (a periodic job) folds them into funnel_daily, industry_daily and
-- ai_decisions_daily. The report adds the deltas not yet folded, and counts in-progress
-- sessions live (they are few: they expire). Organizations and AI suggestions feed the
-- rollup the same way (their industry; the user's decision). POST /step does not fire the trigger (its WHEN clause): only a session's
-- creation, deletion and change of status (or of step or end once it is over) do.

-- Audit: the expiry job writes its audit rows -----------------------------------------------

-- text → uuid without raising on malformed input (for policies).
create function onboardd_private.uuid_or_null(t text) returns uuid
  language sql immutable parallel safe
  as $$
    select case when t ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                then t::uuid end
  $$;

-- The owner (expire_stale_sessions, SECURITY DEFINER) may append exactly one kind of row: the
-- expiry of a session that is expired, in its user's chain (actor = the session's user, whose
-- data changed; details.by names the job). Nothing else.
create policy audit_log_insert_expiry_owner on public.audit_log for insert to onboardd_owner
  with check (action = 'onboarding.session_expired'
              and entity_type = 'onboarding_session'
              and organization_id is null
              and exists (select 1 from public.onboarding_sessions s
                          where s.id = onboardd_private.uuid_or_null(audit_log.entity_id)
                            and s.user_id = audit_log.actor_id
                            and s.status = 'expired' and s.expires_at <= now()));

-- 0008's job, now auditing what it marks in the same transaction. Two statements: the audit
-- rows' policy must see the sessions already expired.
create or replace function onboardd_private.expire_stale_sessions(max_rows integer default 1000)
  returns integer
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
  declare
    ids uuid[];
    users text[];
  begin
    with stale as (
      select s.id from public.onboarding_sessions s
      where s.status = 'in_progress' and s.expires_at <= now()
      order by s.expires_at
      limit greatest(1, least(coalesce(max_rows, 1000), 10000))
      for update skip locked),
    marked as (
      update public.onboarding_sessions s set status = 'expired'
      from stale where s.id = stale.id
      returning s.id, s.user_id)
    select coalesce(array_agg(m.id), '{}'), coalesce(array_agg(m.user_id), '{}')
      into ids, users from marked m;
    insert into public.audit_log (actor_id, action, entity_type, entity_id, details)
      select e.user_id, 'onboarding.session_expired', 'onboarding_session', e.id::text,
             '{"by": "expire_stale_sessions"}'::jsonb
      from unnest(ids, users) as e(id, user_id);
    return cardinality(ids);
  end
  $$;

-- A session inserted already completed (the wizard completing without a saved step) gets its
-- completed_at, as an update to completed does (0003).
create function onboardd_private.onboarding_sessions_stamp_completed() returns trigger
  language plpgsql
  as $$
  begin
    new.completed_at := now();
    return new;
  end
  $$;
create trigger onboarding_sessions_completed_at before insert on public.onboarding_sessions
  for each row when (new.status = 'completed' and new.completed_at is null)
  execute function onboardd_private.onboarding_sessions_stamp_completed();

-- Analytics: scope ----------------------------------------------------------------------------

-- What onboarding_analytics() is reporting on right now: 'all', an organization id, or NULL
-- (outside it). Set by that function for its own duration (and by rebuild_analytics). The
-- app could set it too, but no function the app may run as the owner reads these tables'
-- rows back to it (sql/README.md, "Analytics").
create function onboardd_private.analytics_scope() returns text
  language sql stable parallel safe
  as $$ select nullif(current_setting('app.analytics_scope', true), '') $$;

create function onboardd_private.analytics_scope_org() returns uuid
  language sql stable parallel safe
  as $$ select onboardd_private.uuid_or_null(onboardd_private.analytics_scope()) $$;

-- The members of `org` (as the owner, within that organization's scope only).
create function onboardd_private.org_member_ids(org uuid) returns text[]
  language sql stable
  as $$
    select coalesce(array_agg(m.user_id), '{}') from public.organization_members m
    where m.organization_id = org
  $$;

-- "An organization's sessions" (and AI interactions): those that completed into it, and
-- those of its members that belong to no organization yet. One home for that definition:
-- the report's queries and the owner's policies both call this.
create function onboardd_private.in_org_scope(row_org uuid, row_user text, org uuid,
                                              members text[])
  returns boolean
  language sql immutable parallel safe
  as $$ select row_org = org or (row_org is null and row_user = any (members)) $$;

-- The owner's view during a report (and nothing otherwise: outside one the scope is NULL).
create policy onboarding_sessions_select_analytics_owner on public.onboarding_sessions
  for select to onboardd_owner
  using (onboardd_private.analytics_scope() = 'all'
         or onboardd_private.in_org_scope(
              organization_id, user_id, onboardd_private.analytics_scope_org(),
              (select onboardd_private.org_member_ids(onboardd_private.analytics_scope_org()))));
create policy organization_members_select_analytics_owner on public.organization_members
  for select to onboardd_owner
  using (organization_id = onboardd_private.analytics_scope_org());
create policy ai_interactions_select_analytics_owner on public.ai_interactions
  for select to onboardd_owner
  using (onboardd_private.analytics_scope() = 'all'
         or onboardd_private.in_org_scope(
              organization_id, user_id, onboardd_private.analytics_scope_org(),
              (select onboardd_private.org_member_ids(onboardd_private.analytics_scope_org()))));
create policy ai_suggestions_select_analytics_owner on public.ai_suggestions
  for select to onboardd_owner
  using (onboardd_private.analytics_scope() = 'all'
         or (onboardd_private.analytics_scope_org() is not null
             and exists (select 1 from public.ai_interactions i
                         where i.id = ai_suggestions.interaction_id)));

-- Analytics: what a session contributes ----------------------------------------------------

-- Time to complete in buckets 5 % wide: bucket b holds [1.05^b - 1, 1.05^(b+1) - 1) seconds,
-- so a median read from the buckets is off by under 2.5 %. -1: not completed, or no
-- measurable time (a session created by the completion itself).
create function onboardd_private.completion_bucket(status text, created_at timestamptz,
                                                   completed_at timestamptz)
  returns integer
  language sql immutable parallel safe
  as $$
    select case when status = 'completed' and completed_at > created_at
                then floor(ln(1 + extract(epoch from completed_at - created_at)::float8)
                           / ln(1.05))::integer
                else -1 end
  $$;

-- The rows a session adds to the funnel: always (its UTC day, flow, 'started', 0, -1), and
-- (day, flow, status, the step it is on, bucket) — for a completed one its last step. (The
-- session's columns, not its row: a whole-row argument trips PostgreSQL 15's planner once
-- the function is inlined under row security.)
create function onboardd_private.funnel_keys(s_created timestamptz, s_flow text,
                                             s_status text, s_step integer,
                                             s_completed timestamptz)
  returns table (day date, flow text, status text, step integer, bucket integer)
  language sql immutable parallel safe
  as $$
    select (s_created at time zone 'UTC')::date, s_flow, 'started', 0, -1
    union all
    select (s_created at time zone 'UTC')::date, s_flow, s_status, s_step,
           onboardd_private.completion_bucket(s_status, s_created, s_completed)
  $$;

-- The rollup (owner-only; the app has no privilege on onboardd_private tables) -------------

-- Sessions by the UTC day they started: 'started' rows (step 0) and, per outcome, the step
-- they ended on and their completion bucket. In-progress sessions are not kept here.
create table onboardd_private.funnel_daily (
  day date not null,
  flow text not null,
  status text not null check (status in ('started', 'completed', 'abandoned', 'expired')),
  step integer not null,
  bucket integer not null,
  sessions bigint not null,
  primary key (day, flow, status, step, bucket)
);

-- Organizations by the UTC day they were created and their industry.
create table onboardd_private.industry_daily (
  day date not null,
  industry text not null,
  organizations bigint not null,
  primary key (day, industry)
);

-- AI suggestions by the UTC day they were made and the user's decision ('undecided' while
-- there is none).
create table onboardd_private.ai_decisions_daily (
  day date not null,
  decision text not null,
  suggestions bigint not null,
  primary key (day, decision)
);

-- Changes not folded into the three tables above yet, +1 or -1 each: kind 'funnel' (flow,
-- status, step, bucket), 'industry' (label = the industry) or 'ai' (label = the decision).
create table onboardd_private.analytics_deltas (
  id bigint generated always as identity primary key,
  kind text not null check (kind in ('funnel', 'industry', 'ai')),
  day date not null,
  flow text,
  status text,
  step integer,
  bucket integer,
  label text,
  delta integer not null check (delta in (-1, 1)),
  check ((kind = 'funnel') = (flow is not null and status is not null and step is not null
                              and bucket is not null and label is null)),
  check ((kind = 'funnel') <> (label is not null))
);

-- Each trigger appends the difference between the row's old and new contributions (nothing
-- when they are the same). SECURITY DEFINER: the app may not touch onboardd_private.
create function onboardd_private.funnel_track() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
  begin
    insert into onboardd_private.analytics_deltas (kind, day, flow, status, step, bucket, delta)
      select 'funnel', k.day, k.flow, k.status, k.step, k.bucket, sum(k.delta)::integer
      from (select o.*, -1 as delta
            from onboardd_private.funnel_keys(old.created_at, old.flow, old.status,
                                              old.current_step, old.completed_at) o
            where tg_op <> 'INSERT'
            union all
            select n.*, 1
            from onboardd_private.funnel_keys(new.created_at, new.flow, new.status,
                                              new.current_step, new.completed_at) n
            where tg_op <> 'DELETE') k
      where k.status <> 'in_progress'
      group by k.day, k.flow, k.status, k.step, k.bucket
      having sum(k.delta) <> 0;
    return null;
  end
  $$;
create trigger onboarding_sessions_funnel after insert or delete on public.onboarding_sessions
  for each row execute function onboardd_private.funnel_track();
-- Not on a step save of a session in progress: only when the outcome can change.
create trigger onboarding_sessions_funnel_update after update on public.onboarding_sessions
  for each row
  when (old.status is distinct from new.status
        or old.completed_at is distinct from new.completed_at
        or (new.status <> 'in_progress' and old.current_step is distinct from new.current_step))
  execute function onboardd_private.funnel_track();

-- TG_ARGV[0]: 'industry' (organizations: created_at, industry) or 'ai' (ai_suggestions:
-- created_at, decision).
create function onboardd_private.label_track() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
  declare
    old_label text;
    new_label text;
  begin
    if tg_argv[0] = 'industry' then
      if tg_op <> 'INSERT' then old_label := old.industry; end if;
      if tg_op <> 'DELETE' then new_label := new.industry; end if;
    else
      if tg_op <> 'INSERT' then old_label := coalesce(old.decision, 'undecided'); end if;
      if tg_op <> 'DELETE' then new_label := coalesce(new.decision, 'undecided'); end if;
    end if;
    insert into onboardd_private.analytics_deltas (kind, day, label, delta)
      select tg_argv[0], k.day, k.label, sum(k.delta)::integer
      from (select (old.created_at at time zone 'UTC')::date as day, old_label as label,
                   -1 as delta
            where tg_op <> 'INSERT'
            union all
            select (new.created_at at time zone 'UTC')::date, new_label, 1
            where tg_op <> 'DELETE') k
      group by k.day, k.label
      having sum(k.delta) <> 0;
    return null;
  end
  $$;
create trigger organizations_industry after insert or delete on public.organizations
  for each row execute function onboardd_private.label_track('industry');
create trigger organizations_industry_update after update of industry on public.organizations
  for each row when (old.industry is distinct from new.industry)
  execute function onboardd_private.label_track('industry');
create trigger ai_suggestions_decision after insert or delete on public.ai_suggestions
  for each row execute function onboardd_private.label_track('ai');
create trigger ai_suggestions_decision_update after update of decision on public.ai_suggestions
  for each row when (old.decision is distinct from new.decision)
  execute function onboardd_private.label_track('ai');

-- Only the owner (the triggers and jobs above and below, SECURITY DEFINER) reads or writes
-- them: a policy per command.
alter table onboardd_private.funnel_daily enable row level security;
alter table onboardd_private.funnel_daily force row level security;
create policy funnel_daily_select_owner on onboardd_private.funnel_daily
  for select to onboardd_owner using (true);
create policy funnel_daily_insert_owner on onboardd_private.funnel_daily
  for insert to onboardd_owner with check (true);
create policy funnel_daily_update_owner on onboardd_private.funnel_daily
  for update to onboardd_owner using (true) with check (true);
create policy funnel_daily_delete_owner on onboardd_private.funnel_daily
  for delete to onboardd_owner using (true);

alter table onboardd_private.industry_daily enable row level security;
alter table onboardd_private.industry_daily force row level security;
create policy industry_daily_select_owner on onboardd_private.industry_daily
  for select to onboardd_owner using (true);
create policy industry_daily_insert_owner on onboardd_private.industry_daily
  for insert to onboardd_owner with check (true);
create policy industry_daily_update_owner on onboardd_private.industry_daily
  for update to onboardd_owner using (true) with check (true);
create policy industry_daily_delete_owner on onboardd_private.industry_daily
  for delete to onboardd_owner using (true);

alter table onboardd_private.ai_decisions_daily enable row level security;
alter table onboardd_private.ai_decisions_daily force row level security;
create policy ai_decisions_daily_select_owner on onboardd_private.ai_decisions_daily
  for select to onboardd_owner using (true);
create policy ai_decisions_daily_insert_owner on onboardd_private.ai_decisions_daily
  for insert to onboardd_owner with check (true);
create policy ai_decisions_daily_update_owner on onboardd_private.ai_decisions_daily
  for update to onboardd_owner using (true) with check (true);
create policy ai_decisions_daily_delete_owner on onboardd_private.ai_decisions_daily
  for delete to onboardd_owner using (true);

-- Deltas are appended and folded, never updated.
alter table onboardd_private.analytics_deltas enable row level security;
alter table onboardd_private.analytics_deltas force row level security;
create policy analytics_deltas_select_owner on onboardd_private.analytics_deltas
  for select to onboardd_owner using (true);
create policy analytics_deltas_insert_owner on onboardd_private.analytics_deltas
  for insert to onboardd_owner with check (true);
create policy analytics_deltas_delete_owner on onboardd_private.analytics_deltas
  for delete to onboardd_owner using (true);

-- Folds at most max_rows (1..100000) deltas, oldest first, into the rollup; returns how many.
-- One compactor at a time (a transaction-scoped advisory lock; a second returns 0), rows
-- upserted in key order: two server instances never deadlock on it.
create function onboardd_private.compact_analytics(max_rows integer default 10000)
  returns integer
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
  declare
    folded integer;
  begin
    if not pg_try_advisory_xact_lock(hashtext('onboardd.compact_analytics')) then
      return 0;
    end if;
    with picked as (
      select d.id from onboardd_private.analytics_deltas d order by d.id
      limit greatest(1, least(coalesce(max_rows, 10000), 100000))),
    gone as (
      delete from onboardd_private.analytics_deltas d using picked where d.id = picked.id
      returning d.*),
    funnel as (
      insert into onboardd_private.funnel_daily as t (day, flow, status, step, bucket, sessions)
      select g.day, g.flow, g.status, g.step, g.bucket, sum(g.delta) from gone g
      where g.kind = 'funnel'
      group by g.day, g.flow, g.status, g.step, g.bucket
      order by g.day, g.flow, g.status, g.step, g.bucket
      on conflict (day, flow, status, step, bucket)
        do update set sessions = t.sessions + excluded.sessions),
    industries as (
      insert into onboardd_private.industry_daily as t (day, industry, organizations)
      select g.day, g.label, sum(g.delta) from gone g where g.kind = 'industry'
      group by g.day, g.label order by g.day, g.label
      on conflict (day, industry)
        do update set organizations = t.organizations + excluded.organizations),
    decisions as (
      insert into onboardd_private.ai_decisions_daily as t (day, decision, suggestions)
      select g.day, g.label, sum(g.delta) from gone g where g.kind = 'ai'
      group by g.day, g.label order by g.day, g.label
      on conflict (day, decision)
        do update set suggestions = t.suggestions + excluded.suggestions)
    select count(*) into folded from gone;
    return folded;
  end
  $$;
grant execute on function onboardd_private.compact_analytics(integer) to onboardd_app;

-- Rebuilds the rollup from the tables (the migration below; an operator after a restore).
-- Run as the owner with no traffic: changes committed while it runs may be counted twice.
create function onboardd_private.rebuild_analytics() returns void
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
  as $$
  declare
    previous text := current_setting('app.analytics_scope', true);
  begin
    perform set_config('app.analytics_scope', 'all', true);
    perform pg_advisory_xact_lock(hashtext('onboardd.compact_analytics'));
    delete from onboardd_private.analytics_deltas;
    delete from onboardd_private.funnel_daily;
    delete from onboardd_private.industry_daily;
    delete from onboardd_private.ai_decisions_daily;
    insert into onboardd_private.funnel_daily (day, flow, status, step, bucket, sessions)
      select k.day, k.flow, k.status, k.step, k.bucket, count(*)
      from public.onboarding_sessions s,
        onboardd_private.funnel_keys(s.created_at, s.flow, s.status, s.current_step,
                                     s.completed_at) k
      where k.status <> 'in_progress'
      group by k.day, k.flow, k.status, k.step, k.bucket;
    insert into onboardd_private.industry_daily (day, industry, organizations)
      select (o.created_at at time zone 'UTC')::date, o.industry, count(*)
      from public.organizations o group by 1, 2;
    insert into onboardd_private.ai_decisions_daily (day, decision, suggestions)
      select (g.created_at at time zone 'UTC')::date, coalesce(g.decision, 'undecided'), count(*)
      from public.ai_suggestions g group by 1, 2;
    perform set_config('app.analytics_scope', coalesce(previous, ''), true);
  end
  $$;

select onboardd_private.rebuild_analytics();

-- Analytics: the report --------------------------------------------------------------------

-- The functions below are plain LANGUAGE sql, without SET clauses, so that the planner inlines
-- them into the report's query and plans it with the actual organization and dates (the
-- report runs with plan_cache_mode = force_custom_plan). Every name in them is qualified.

-- The funnel of the sessions started from p_from to p_to (UTC days), counted live: of
-- organization `org`, or of every session when `org` is NULL (the rollup's reference, which
-- pgTAP compares it with). Rows: (flow, status, step, bucket, sessions) as funnel_keys.
create function onboardd_private.funnel_rows_live(org uuid, p_from date, p_to date)
  returns table (flow text, status text, step integer, bucket integer, sessions bigint)
  language sql stable
  as $$
    select k.flow, k.status, k.step, k.bucket, count(*)
    from public.onboarding_sessions s,
      onboardd_private.funnel_keys(s.created_at, s.flow, s.status, s.current_step,
                                   s.completed_at) k
    where s.created_at >= (p_from::timestamp at time zone 'UTC')
      and s.created_at < ((p_to + 1)::timestamp at time zone 'UTC')
      and (org is null
           or onboardd_private.in_org_scope(s.organization_id, s.user_id, org,
                                            (select onboardd_private.org_member_ids(org))))
    group by k.flow, k.status, k.step, k.bucket
  $$;

-- Every session's funnel from the rollup: funnel_daily, the deltas not folded yet, and the
-- sessions in progress counted live.
create function onboardd_private.funnel_rows_rollup(p_from date, p_to date)
  returns table (flow text, status text, step integer, bucket integer, sessions bigint)
  language sql stable
  as $$
    select x.flow, x.status, x.step, x.bucket, sum(x.n)::bigint
    from (select f.flow, f.status, f.step, f.bucket, f.sessions as n
          from onboardd_private.funnel_daily f where f.day between p_from and p_to
          union all
          select d.flow, d.status, d.step, d.bucket, d.delta
          from onboardd_private.analytics_deltas d
          where d.kind = 'funnel' and d.day between p_from and p_to
          union all
          select k.flow, k.status, k.step, k.bucket, 1
          from public.onboarding_sessions s,
            onboardd_private.funnel_keys(s.created_at, s.flow, s.status, s.current_step,
                                         s.completed_at) k
          where s.status = 'in_progress' and k.status = 'in_progress'
            and s.created_at >= (p_from::timestamp at time zone 'UTC')
            and s.created_at < ((p_to + 1)::timestamp at time zone 'UTC')) x
    group by x.flow, x.status, x.step, x.bucket
    having sum(x.n) <> 0
  $$;

-- The report's funnel: organization `org`'s live, or (NULL) everyone's from the rollup.
create function onboardd_private.funnel_rows(org uuid, p_from date, p_to date)
  returns table (flow text, status text, step integer, bucket integer, sessions bigint)
  language sql stable
  as $$
    select * from onboardd_private.funnel_rows_live(org, p_from, p_to) where org is not null
    union all
    select * from onboardd_private.funnel_rows_rollup(p_from, p_to) where org is null
  $$;

-- Industries of the organizations created from p_from to p_to: `org` alone, or (NULL) all of
-- them from the rollup.
create function onboardd_private.industry_rows(org uuid, p_from date, p_to date)
  returns table (industry text, organizations bigint)
  language sql stable
  as $$
    select x.industry, sum(x.n)::bigint
    from (select i.industry, i.organizations as n from onboardd_private.industry_daily i
          where org is null and i.day between p_from and p_to
          union all
          select d.label, d.delta from onboardd_private.analytics_deltas d
          where org is null and d.kind = 'industry' and d.day between p_from and p_to
          union all
          select o.industry, 1 from public.organizations o
          where o.id = org
            and o.created_at >= (p_from::timestamp at time zone 'UTC')
            and o.created_at < ((p_to + 1)::timestamp at time zone 'UTC')) x
    group by x.industry
    having sum(x.n) > 0
  $$;

-- The AI suggestions made from p_from to p_to by decision ('undecided' while there is none):
-- live in `org`'s scope, or (NULL) all of them from the rollup.
create function onboardd_private.decision_rows(org uuid, p_from date, p_to date)
  returns table (decision text, suggestions bigint)
  language sql stable
  as $$
    select x.decision, sum(x.n)::bigint
    from (select a.decision, a.suggestions as n from onboardd_private.ai_decisions_daily a
          where org is null and a.day between p_from and p_to
          union all
          select d.label, d.delta from onboardd_private.analytics_deltas d
          where org is null and d.kind = 'ai' and d.day between p_from and p_to
          union all
          select coalesce(g.decision, 'undecided'), 1 from public.ai_suggestions g
          join public.ai_interactions i on i.id = g.interaction_id
          where org is not null
            and g.created_at >= (p_from::timestamp at time zone 'UTC')
            and g.created_at < ((p_to + 1)::timestamp at time zone 'UTC')
            and onboardd_private.in_org_scope(i.organization_id, i.user_id, org,
                                              (select onboardd_private.org_member_ids(org)))) x
    group by x.decision
    having sum(x.n) <> 0
  $$;

-- The one door for the app (GET /api/onboarding/analytics). `org`: the organization asked
-- for, or NULL for every organization (the operator only). Answers the report, or NULL when
-- the caller may not see it — neither an admin of `org` nor the operator (app.ops = 'on',
-- set by the server after checking OPS_TOKEN), or `org` does not exist — so that the route
-- answers 404 without telling which. p_from ≤ p_to, at most 366 days apart. The report:
--   {sessionsStarted, sessionsCompleted, completionRate, medianSecondsToComplete,
--    steps: [{flow, step, reached, inProgress, dropped, dropOffRate}],
--    topIndustries: [{industry, organizations}] (10 at most),
--    ai: {suggestions, decided, accepted, modified, declined, acceptanceRate}}
-- Sessions count by the UTC day they started (a cohort): completed means completed by now.
-- A step is reached by every session whose step (the one it is on, or ended on) is at or
-- after it, completed ones reaching every step; dropped: abandoned or expired on it. The
-- median is read from completion_bucket's buckets. Rates are NULL when their base is 0.
create function onboardd_private.onboarding_analytics(org uuid, p_from date, p_to date)
  returns jsonb
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  set plan_cache_mode = force_custom_plan
  as $$
  declare
    operator boolean := coalesce(current_setting('app.ops', true), '') = 'on';
    previous text := current_setting('app.analytics_scope', true);
    report jsonb;
  begin
    if p_from is null or p_to is null or p_from > p_to or p_to - p_from > 366 then
      raise exception 'analytics range % .. % is not allowed', p_from, p_to
        using errcode = 'invalid_parameter_value';
    end if;
    if org is null then
      if not operator then
        return null;
      end if;
      perform set_config('app.analytics_scope', 'all', true);
    else
      if not (operator or org = any (onboardd_private.admin_org_ids()))
         or not exists (select 1 from public.organizations o where o.id = org) then
        return null;
      end if;
      perform set_config('app.analytics_scope', org::text, true);
    end if;
    report := (
      with f as (select * from onboardd_private.funnel_rows(org, p_from, p_to)),
      totals as (
        select coalesce(sum(f.sessions) filter (where f.status = 'started'), 0) as started,
               coalesce(sum(f.sessions) filter (where f.status = 'completed'), 0) as completed
        from f),
      durations as (
        select f.bucket, sum(f.sessions) as n from f
        where f.status = 'completed' and f.bucket >= 0 group by f.bucket),
      cumulative as (
        select d.bucket, d.n::float8 as n, (sum(d.n) over (order by d.bucket))::float8 as upto,
               (sum(d.n) over ())::float8 as total
        from durations d),
      median as (
        select round((exp(c.bucket * ln(1.05)) - 1
                      + (exp((c.bucket + 1) * ln(1.05)) - exp(c.bucket * ln(1.05)))
                        * ((c.total / 2 - (c.upto - c.n)) / c.n))::numeric, 1) as seconds
        from cumulative c where c.upto >= c.total / 2 order by c.bucket limit 1),
      outcomes as (
        select f.flow, f.status, f.step, sum(f.sessions) as n from f
        where f.status <> 'started' group by f.flow, f.status, f.step),
      steps as (
        select o.flow, n.step,
               coalesce(sum(o.n) filter (where o.step >= n.step), 0) as reached,
               coalesce(sum(o.n) filter (where o.step = n.step and o.status = 'in_progress'), 0)
                 as in_progress,
               coalesce(sum(o.n) filter (where o.step = n.step
                                           and o.status in ('abandoned', 'expired')), 0)
                 as dropped
        from outcomes o
        cross join lateral generate_series(1, (select max(x.step) from outcomes x
                                                where x.flow = o.flow)) as n(step)
        group by o.flow, n.step),
      industries as (
        select i.industry, i.organizations from onboardd_private.industry_rows(org, p_from, p_to) i
        order by i.organizations desc, i.industry limit 10),
      ai as (
        select coalesce(sum(d.suggestions), 0) as suggestions,
               coalesce(sum(d.suggestions) filter (where d.decision <> 'undecided'), 0)
                 as decided,
               coalesce(sum(d.suggestions) filter (where d.decision = 'accepted'), 0) as accepted,
               coalesce(sum(d.suggestions) filter (where d.decision = 'modified'), 0) as modified,
               coalesce(sum(d.suggestions) filter (where d.decision = 'declined'), 0) as declined
        from onboardd_private.decision_rows(org, p_from, p_to) d)
      select jsonb_build_object(
        'sessionsStarted', t.started,
        'sessionsCompleted', t.completed,
        'completionRate',
          case when t.started > 0 then round(t.completed::numeric / t.started, 4) end,
        'medianSecondsToComplete', (select m.seconds from median m),
        'steps', coalesce((select jsonb_agg(jsonb_build_object(
                    'flow', s.flow, 'step', s.step, 'reached', s.reached,
                    'inProgress', s.in_progress, 'dropped', s.dropped,
                    'dropOffRate', case when s.reached > 0
                                        then round(s.dropped::numeric / s.reached, 4) end)
                    order by s.flow, s.step) from steps s), '[]'::jsonb),
        'topIndustries', coalesce((select jsonb_agg(jsonb_build_object(
                            'industry', i.industry, 'organizations', i.organizations)
                            order by i.organizations desc, i.industry) from industries i),
                          '[]'::jsonb),
        'ai', (select jsonb_build_object(
                 'suggestions', a.suggestions, 'decided', a.decided, 'accepted', a.accepted,
                 'modified', a.modified, 'declined', a.declined,
                 'acceptanceRate', case when a.decided > 0
                                        then round(a.accepted::numeric / a.decided, 4) end)
               from ai a))
      from totals t);
    -- Back to the caller's value (an error instead aborts the transaction, and with it the
    -- transaction-local setting).
    perform set_config('app.analytics_scope', coalesce(previous, ''), true);
    return report;
  end
  $$;
grant execute on function onboardd_private.onboarding_analytics(uuid, date, date) to onboardd_app;

-- The operator's live read: in-progress sessions by start (created_at never changes and
-- current_step is not in the index, so step saves stay HOT updates).
create index onboarding_sessions_in_progress_created_idx on public.onboarding_sessions
  (created_at) where status = 'in_progress';

-- Idempotency keys: purged when expired, replays with their headers -------------------------

-- The answer's significant headers (ETag, x-session-id, Location, ...) as [[name, value]...].
alter table public.idempotency_keys add column response_headers jsonb;

-- The purge job runs as the owner (SECURITY DEFINER, below); it sees and deletes expired
-- keys only, whoever they belong to.
create policy idempotency_keys_select_expired_owner on public.idempotency_keys
  for select to onboardd_owner using (expires_at <= now());
create policy idempotency_keys_delete_expired_owner on public.idempotency_keys
  for delete to onboardd_owner using (expires_at <= now());

-- Deletes at most max_rows (1..10000) expired keys, oldest first; returns how many. (No FOR
-- UPDATE SKIP LOCKED: it would need an UPDATE policy. A concurrent purge or a request
-- reclaiming the same key waits for the row and then finds it gone.)
create function onboardd_private.purge_idempotency_keys(max_rows integer default 1000)
  returns integer
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
  declare
    purged integer;
  begin
    delete from public.idempotency_keys k
      where (k.user_id, k.key) in (
        select e.user_id, e.key from public.idempotency_keys e
        where e.expires_at <= now()
        order by e.expires_at
        limit greatest(1, least(coalesce(max_rows, 1000), 10000)));
    get diagnostics purged = row_count;
    return purged;
  end
  $$;
grant execute on function onboardd_private.purge_idempotency_keys(integer) to onboardd_app;

-- Audit: the check behind `onboardd audit verify` ---------------------------------------------

-- Every chain (or the one named), with its rows and its first broken link: the row whose
-- chain_seq is not the next number ('sequence'), whose prev_hash is not the previous row's
-- hash ('prev_hash'), or whose hash does not recompute from its contents ('hash'); or, when
-- every row holds, rows missing after the last one (audit_chain_heads is ahead:
-- 'missing_tail', first_bad_seq the first missing number) or a head that disagrees with the
-- last row otherwise ('head_mismatch'). Run as the owner. Plain SQL without SET so that a
-- call naming one chain is inlined and reads only that chain through its unique index.
create function onboardd_private.audit_verify_chains(only_chain text default null)
  returns table (chain_key text, row_count bigint, first_bad_seq bigint, first_bad_id bigint,
                 problem text)
  language sql stable
  as $$
    with checked as (
      select a.chain_key, a.chain_seq, a.id, a.hash,
             case
               when a.chain_seq <> row_number() over w then 'sequence'
               when a.prev_hash is distinct from lag(a.hash) over w then 'prev_hash'
               when a.hash <> onboardd_private.audit_row_hash(a) then 'hash'
             end as problem
      from public.audit_log a
      where only_chain is null or a.chain_key = only_chain
      window w as (partition by a.chain_key order by a.chain_seq)),
    chains as (
      select c.chain_key, count(*) as row_count, max(c.chain_seq) as last_seq,
             (array_agg(c.hash order by c.chain_seq desc))[1] as last_hash,
             (array_agg(c.chain_seq order by c.chain_seq) filter (where c.problem is not null))[1]
               as bad_seq
      from checked c group by c.chain_key),
    heads as (
      select h.chain_key, h.last_seq, h.last_hash from onboardd_private.audit_chain_heads h
      where only_chain is null or h.chain_key = only_chain)
    select coalesce(c.chain_key, h.chain_key), coalesce(c.row_count, 0),
           case when c.bad_seq is not null then c.bad_seq
                when c.chain_key is null then 1
                when h.chain_key is null then c.last_seq
                when h.last_seq > c.last_seq then c.last_seq + 1
                when h.last_seq <> c.last_seq or h.last_hash is distinct from c.last_hash
                  then c.last_seq
           end,
           (select k.id from checked k where k.chain_key = c.chain_key and k.chain_seq = c.bad_seq
            order by k.id limit 1),
           case when c.bad_seq is not null
                  then (select k.problem from checked k
                        where k.chain_key = c.chain_key and k.chain_seq = c.bad_seq
                        order by k.id limit 1)
                when c.chain_key is null or h.last_seq > c.last_seq then 'missing_tail'
                when h.chain_key is null or h.last_seq <> c.last_seq
                     or h.last_hash is distinct from c.last_hash then 'head_mismatch'
           end
    from chains c full join heads h on h.chain_key = c.chain_key
    order by 1
  $$;
