-- 0019 step save log: the audit row of a draft save, without a hash chain (issue 15).
--
-- Every POST /step wrote an `onboarding.step_saved` row into audit_log, chained per user
-- ('user:<sub>'): its BEFORE INSERT trigger (SECURITY DEFINER, three statements on the
-- chain's head), the identity sequence, three indexes and the row itself. That row was more
-- than half of a save. pgbench at 64 clients on a shared 2-core machine, the scripts of
-- `db_bench --print-pgbench-step[-floor]`, 6 s each, alternating (tps; two sets of three
-- rounds, the first with a bare table in place of this one):
--   save_step as 0016 wrote it                 576 / 815 / 837        879 / 750 / 820
--   save_step as below                         912 / 1,169 / 1,254  1,206 / 1,247 / 988
--   save_step without any audit row          1,055 / 1,238 / 1,703
--   the floor (one upsert of the draft)      1,530 / 1,855 / 2,366  1,711 / 2,138 / 1,582
-- i.e. from 45 % of the floor to 63 % (means of the second set).
-- As the issue asks, a draft is audited without a chain until an organization exists: a draft
-- belongs to no organization, and its saves are the one high-volume write of the product.
--
-- public.onboarding_step_saves: one row per save, written by save_step() in the save's own
-- transaction (SPEC §4.6: every mutation writes an audit row in the same transaction): who,
-- which session, which step, which request, when. Append-only like audit_log: the app may
-- insert its own rows and read them back, the owner reads all, no role may update, delete or
-- truncate (0005's trigger). No identity column and one index: a row is found by its session.
-- The session's lifecycle rows (session_started, session_expired, ...) stay in the user's
-- chain in audit_log, as sql/README.md's table says; so do the session API's saves
-- (`onboarding.progress_saved`, PUT /progress).
--
-- Until an organization exists: a completion seals the draft's saves into the organization's
-- chain. Its `onboarding.completed` row carries details.stepSaves = {sessions, count, sha256}
-- (step_saves_seal(): the sessions that completed into the organization, and the digest of
-- their saves), and audit_verify_chains() recomputes the digest: a save deleted or changed
-- after the completion is reported as problem 'step_saves' at that row. A row's own hash
-- covers its details, so the seal cannot be rewritten to match either.

create table public.onboarding_step_saves (
  session_id uuid not null,  -- no foreign key: the log outlives what it describes
  user_id text not null,
  step integer not null,
  request_id text default onboardd_private.current_request_id(),
  saved_at timestamptz not null default now()
);
create index onboarding_step_saves_session_idx
  on public.onboarding_step_saves (session_id, saved_at);

create trigger onboarding_step_saves_no_update before update or delete
  on public.onboarding_step_saves
  for each row execute function onboardd_private.audit_log_immutable();
create trigger onboarding_step_saves_no_truncate before truncate
  on public.onboarding_step_saves
  for each statement execute function onboardd_private.audit_log_immutable();

alter table public.onboarding_step_saves enable row level security;
alter table public.onboarding_step_saves force row level security;
create policy onboarding_step_saves_insert_app on public.onboarding_step_saves
  for insert to onboardd_app
  with check (user_id = onboardd_private.current_user_id());
create policy onboarding_step_saves_select_app on public.onboarding_step_saves
  for select to onboardd_app
  using (user_id = onboardd_private.current_user_id());
-- The operator's view.
create policy onboarding_step_saves_select_owner on public.onboarding_step_saves
  for select to onboardd_owner using (true);
grant select, insert on public.onboarding_step_saves to onboardd_app;

-- {count, sha256} of the saves of `sessions` that the caller may read (SECURITY INVOKER: the
-- app sees its own, the owner all): sha256 hex of the jsonb array text of
-- [session_id, user_id, step, request_id, epoch of saved_at], in (saved_at, session_id,
-- step, request_id) order.
create function onboardd_private.step_saves_digest(sessions uuid[]) returns jsonb
  language sql stable
  as $$
    select jsonb_build_object(
             'count', count(*),
             'sha256', encode(sha256(convert_to(coalesce(jsonb_agg(jsonb_build_array(
                 v.session_id, v.user_id, v.step, v.request_id, extract(epoch from v.saved_at))
               order by v.saved_at, v.session_id, v.step, v.request_id)::text, '[]'), 'UTF8')),
               'hex'))
    from public.onboarding_step_saves v
    where v.session_id = any (sessions)
  $$;

-- The seal a completion writes into its `onboarding.completed` audit row: the caller's
-- sessions that completed into `org` (written earlier in the same transaction) and the
-- digest of their saves.
create function onboardd_private.step_saves_seal(org uuid) returns jsonb
  language sql stable
  as $$
    select jsonb_build_object('sessions', coalesce(jsonb_agg(s.id order by s.id), '[]'))
           || onboardd_private.step_saves_digest(coalesce(array_agg(s.id), '{}'))
    from public.onboarding_sessions s
    where s.user_id = onboardd_private.current_user_id() and s.organization_id = org
  $$;
grant execute on function onboardd_private.step_saves_digest(uuid[]),
  onboardd_private.step_saves_seal(uuid) to onboardd_app;

-- 0018's audit_verify_chains, and one more problem: 'step_saves', an `onboarding.completed`
-- row whose seal no longer matches the saves it sealed.
create or replace function onboardd_private.audit_verify_chains(only_chain text default null)
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
               when a.action = 'onboarding.completed' and a.details ? 'stepSaves'
                    and (a.details -> 'stepSaves') - 'sessions'
                        is distinct from onboardd_private.step_saves_digest(array(
                          select jsonb_array_elements_text(a.details -> 'stepSaves' -> 'sessions')
                        )::uuid[]) then 'step_saves'
             end as problem
      from public.audit_log a
      where only_chain is null or a.chain_key = only_chain
      window w as (partition by a.chain_key order by a.chain_seq)),
    chains as (
      select c.chain_key, count(*) as row_count, max(c.chain_seq) as last_seq,
             (array_agg(c.hash order by c.chain_seq desc))[1] as last_hash,
             (array_agg(c.chain_seq order by c.chain_seq, c.id)
                filter (where c.problem is not null))[1] as bad_seq,
             (array_agg(c.id order by c.chain_seq, c.id)
                filter (where c.problem is not null))[1] as bad_id,
             (array_agg(c.problem order by c.chain_seq, c.id)
                filter (where c.problem is not null))[1] as bad_problem
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
           c.bad_id,
           case when c.bad_seq is not null then c.bad_problem
                when c.chain_key is null or h.last_seq > c.last_seq then 'missing_tail'
                when h.chain_key is null or h.last_seq <> c.last_seq
                     or h.last_hash is distinct from c.last_hash then 'head_mismatch'
           end
    from chains c full join heads h on h.chain_key = c.chain_key
    order by 1
  $$;

-- save_step as 0016 wrote it, but for its last statement: the save's audit row goes to
-- onboarding_step_saves. Everything else (and 0016's comment) holds.
create or replace function onboardd_private.save_step(new_id uuid, flow text, total_steps integer,
                                                      ttl_hours integer, step integer,
                                                      step_id text, data jsonb)
  returns table (saved_session uuid, saved_version integer, saved_step integer,
                 saved_percentage integer, session_created boolean)
  language plpgsql volatile
  as $$
  declare
    me constant text := onboardd_private.current_user_id();
    step_data jsonb;
  begin
    session_created := false;
    for attempt in 1 .. 2 loop
      -- A wizard save is a completed step: it joins the steps done and may move the session.
      update public.onboarding_sessions s set
        form_data = s.form_data || jsonb_build_object(
          step_id, onboardd_private.keep_draft_images(step_id, s.form_data -> step_id, data)),
        completed_steps = array(select distinct x from unnest(s.completed_steps || step) x
                                where x between 1 and s.total_steps order by x),
        current_step = onboardd_private.session_step_after(
          s.current_step, step, true,
          array(select distinct x from unnest(s.completed_steps || step) x
                where x between 1 and s.total_steps order by x), s.total_steps),
        completion_percentage = onboardd_private.session_percentage(
          s.completion_percentage,
          onboardd_private.session_step_after(
            s.current_step, step, true,
            array(select distinct x from unnest(s.completed_steps || step) x
                  where x between 1 and s.total_steps order by x), s.total_steps),
          array(select distinct x from unnest(s.completed_steps || step) x
                where x between 1 and s.total_steps order by x), s.total_steps)
      where s.user_id = me and s.status = 'in_progress' and s.expires_at > now()
      returning s.id, s.version, s.current_step, s.completion_percentage, s.form_data -> step_id
        into saved_session, saved_version, saved_step, saved_percentage, step_data;
      exit when found;
      if attempt = 2 then
        return;  -- no row: nothing in progress could be written
      end if;

      -- No live session: expire a stale one (audited), then start one (audited) unless a
      -- concurrent save started it first; the second pass updates whichever exists.
      with u as (
        update public.onboarding_sessions s set status = 'expired'
        where s.user_id = me and s.status = 'in_progress' and s.expires_at <= now()
        returning s.id, s.user_id)
      insert into public.audit_log (actor_id, action, entity_type, entity_id, details)
        select u.user_id, 'onboarding.session_expired', 'onboarding_session', u.id::text,
               '{"by": "request"}'::jsonb
        from u;
      insert into public.onboarding_sessions (id, user_id, flow, total_steps, expires_at)
        values (new_id, me, flow, total_steps, now() + make_interval(hours => ttl_hours))
        on conflict (user_id) where status = 'in_progress' do nothing;
      if found then
        session_created := true;
        insert into public.audit_log (actor_id, action, entity_type, entity_id, details)
          values (me, 'onboarding.session_started', 'onboarding_session', new_id::text,
                  jsonb_build_object('flow', flow));
      end if;
    end loop;

    -- The progress row holds the step as the draft saved it (images kept).
    insert into public.onboarding_progress (session_id, user_id, step_number, step_name, data,
                                            is_completed, is_valid, completed_at)
      values (saved_session, me, step, step_id, step_data, true, true, now())
      on conflict (session_id, step_number) do update set
        data = excluded.data, step_name = excluded.step_name, is_completed = true,
        is_valid = true, errors = '[]', completed_at = now();

    insert into public.onboarding_step_saves (session_id, user_id, step)
      values (saved_session, me, step);
    return next;
  end
  $$;
