-- 0013 form preview: GET /status carries the draft without its inline images.
--
-- A wizard draft may hold a logo as a data: URL of up to ~2.7 MB (SPEC §4.1). The status
-- read is called on every authenticated navigation and must stay a few KB, so every write of
-- form_data also stores form_preview: the same document with each data: URL string (at the
-- second level, step → field) replaced by the path that serves it,
-- '/api/onboarding/draft/image/<step>/<field>' (src/onboarding: kDraftImagePath). NULL when
-- the draft holds no inline image: readers use coalesce(form_preview, form_data), so the
-- status read never detoasts the image. Rows written before this migration keep a NULL
-- preview until their next write (the owner role cannot rewrite other users' rows under
-- forced RLS, and does not need to).
--
-- A client that sends that path back for the same step and field means "keep the image I
-- have": keep_draft_images() puts the saved data: URL back before the step is stored.

alter table public.onboarding_sessions add column form_preview jsonb;

create function onboardd_private.form_preview(form_data jsonb) returns jsonb
  language plpgsql immutable parallel safe
  set search_path = pg_catalog, pg_temp
  as $$
  begin
    if form_data is null or form_data::text not ilike '%"data:%' then
      return null;
    end if;
    return (
      select coalesce(jsonb_object_agg(e.key, case when jsonb_typeof(e.value) = 'object' then
        coalesce((select jsonb_object_agg(f.key, case
                    when jsonb_typeof(f.value) = 'string' and (f.value #>> '{}') ilike 'data:%'
                    then to_jsonb('/api/onboarding/draft/image/' || e.key || '/' || f.key)
                    else f.value end)
                  from jsonb_each(e.value) f), '{}'::jsonb)
        else e.value end), '{}'::jsonb)
      from jsonb_each(form_data) e);
  end
  $$;

-- The new data of step `step` with each "/api/onboarding/draft/image/<step>/<field>" value
-- replaced by the data: URL `saved` holds for that field, or dropped when it holds none.
create function onboardd_private.keep_draft_images(step text, saved jsonb, data jsonb)
  returns jsonb
  language plpgsql immutable parallel safe
  set search_path = pg_catalog, pg_temp
  as $$
  begin
    if data is null or jsonb_typeof(data) <> 'object'
       or position('/api/onboarding/draft/image/' in data::text) = 0 then
      return data;
    end if;
    return (
      select coalesce(jsonb_object_agg(d.key, case
               when (d.value #>> '{}') = '/api/onboarding/draft/image/' || step || '/' || d.key
               then saved -> d.key else d.value end), '{}'::jsonb)
      from jsonb_each(data) d
      where (d.value #>> '{}') is distinct from '/api/onboarding/draft/image/' || step || '/' || d.key
         or (jsonb_typeof(saved) = 'object' and (saved ->> d.key) ilike 'data:%'));
  end
  $$;

create function onboardd_private.onboarding_sessions_form_preview() returns trigger
  language plpgsql
  as $$
  begin
    new.form_preview := onboardd_private.form_preview(new.form_data);
    return new;
  end
  $$;
create trigger onboarding_sessions_form_preview
  before insert or update of form_data on public.onboarding_sessions
  for each row execute function onboardd_private.onboarding_sessions_form_preview();

-- The trigger runs as the writer (the app role), so it needs the helper.
grant execute on function onboardd_private.keep_draft_images(text, jsonb, jsonb),
  onboardd_private.form_preview(jsonb) to onboardd_app;
