-- 0012 session api: what the older session API (LEGACY_API.md §2) keeps on a session, and
-- the one home of the two progression rules every write path uses.
--
-- ai_suggestions / ai_analysis: free JSON the client may attach to its session (PATCH
-- /session/{id}); NULL until it does.
--
-- onboardd_private.session_step_after / session_percentage: POST /step, PUT /progress and
-- PATCH /session compute current_step and completion_percentage only through these, inside
-- the UPDATE that writes the step (so concurrent saves of different steps are re-read, not
-- overwritten). The C++ code does not restate them. PL/pgSQL, IMMUTABLE: plans cached per
-- connection and no SQL-function re-parse per call (see 0010).

alter table public.onboarding_sessions
  add column ai_suggestions jsonb,
  add column ai_analysis jsonb;

-- The step a session is on after a save of `step`. Only a save that advances (completed or
-- validly skipped) of the step the session is on moves it: to the first later step that is
-- not done yet, or the last step when every later one is. Anything else leaves it where it
-- is (LEGACY_API §2: "current_step advances only when ... step_number == current_step").
create function onboardd_private.session_step_after(current_step integer, step integer,
                                                     advance boolean, done integer[],
                                                     total integer)
  returns integer
  language plpgsql immutable parallel safe
  set search_path = pg_catalog, pg_temp
  as $$
  begin
    if not advance or step is distinct from current_step then
      return current_step;
    end if;
    for n in step + 1 .. total loop
      if not (n = any (done)) then
        return n;
      end if;
    end loop;
    return total;
  end
  $$;

-- completion_percentage after a write: max(previous, round(100 × max(current step, steps
-- done) / total)), never above 100 and never below what it was (LEGACY_API §2). `done` is
-- the session's distinct completed or skipped steps within 1..total.
create function onboardd_private.session_percentage(previous integer, current_step integer,
                                                    done integer[], total integer)
  returns integer
  language plpgsql immutable parallel safe
  set search_path = pg_catalog, pg_temp
  as $$
  begin
    if total is null or total < 1 then
      return coalesce(previous, 0);
    end if;
    return least(100, greatest(coalesce(previous, 0),
                               round(100.0 * greatest(current_step, coalesce(cardinality(done), 0))
                                     / total)::integer));
  end
  $$;

grant execute on function onboardd_private.session_step_after(integer, integer, boolean,
                                                               integer[], integer),
  onboardd_private.session_percentage(integer, integer, integer[], integer) to onboardd_app;
