-- 0016 step save: POST /step's write as one statement, onboardd_private.save_step().
--
-- It was five statements in one pipeline (expire the caller's stale session, ensure an
-- in-progress one, save the draft, upsert the progress row, audit), each paying its protocol
-- messages, snapshot and executor start-up, although almost every save finds a live session:
-- the expiry and the insert then did nothing. The function does the same writes, with the
-- same audit rows in the same order, in one call:
--   - the common case first: the caller's live (in progress, not expired) session is updated
--     in place, so a save of an existing draft runs three statements (update, progress upsert,
--     audit) and neither looks for a stale session nor tries an insert;
--   - only when there is none: the stale session is expired and audited
--     (`onboarding.session_expired`, details.by = request), a session is inserted (a
--     concurrent creator wins: ON CONFLICT DO NOTHING, and this save updates the winner's
--     session) and audited (`onboarding.session_started`), and the update runs again.
-- Each statement inside takes its own snapshot (READ COMMITTED, VOLATILE), as the pipelined
-- statements did, so a concurrent save of another step is re-read by the UPDATE, not
-- overwritten, and a session created concurrently is found by the second update.
-- current_step / completion_percentage still come only from 0012's functions, the preview
-- from 0013's trigger, and the audit rows still chain per user (audit trigger of 0005): the
-- audit log, `onboardd audit verify` and sql/README.md's table are unchanged.
--
-- SECURITY INVOKER: it runs as the app role, so every policy of every table it writes
-- applies as before (RLS stays forced); it adds no privilege. PL/pgSQL so that its plans are
-- cached per connection (0010); no SET clause (nothing to pin for an invoker function, and
-- it would cost a GUC save/restore per call): every name is schema-qualified.
--
-- CHECK constraints: all kept. With every CHECK of onboarding_sessions, onboarding_progress and
-- audit_log dropped, pgbench on this function at 64 clients measured no difference beyond
-- noise, and each of them guards columns that other writers (the session API, completion,
-- any SQL run as the app role) write too. What a save costs is its rows: measured the same
-- way (1,560 tps with it, 2,540 without), the step_saved audit row is about 40 % of a save,
-- of which its per-user hash chain is about a quarter (1,725 tps without the chain).
--
-- Answers one row (saved_session, saved_version, saved_step, saved_percentage,
-- session_created), or no row when no in-progress session could be written (a concurrent
-- completion between the insert and the update): the server's kInternal, as before.

create function onboardd_private.save_step(new_id uuid, flow text, total_steps integer,
                                           ttl_hours integer, step integer, step_id text,
                                           data jsonb)
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

    insert into public.audit_log (actor_id, action, entity_type, entity_id, details)
      values (me, 'onboarding.step_saved', 'onboarding_session', saved_session::text,
              jsonb_build_object('step', step));
    return next;
  end
  $$;

grant execute on function onboardd_private.save_step(uuid, text, integer, integer, integer,
                                                      text, jsonb) to onboardd_app;
