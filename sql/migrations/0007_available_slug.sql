-- 0007 available_slug: the app cannot see other organizations, so it cannot tell whether a
-- slug is free, and a unique violation would abort the completion transaction (which is one
-- pipelined round trip). available_slug(base) answers inside that transaction:
--   insert into organizations (slug, ...) values (onboardd_private.available_slug($1), ...)
-- It returns base, else base-2, base-3, ... (shortening base so the result fits max_length,
-- like onboarding's SlugWithSuffix). It reveals no more than the unique index already does
-- (whether a slug is taken). Two concurrent creators may still pick the same slug; the loser
-- gets a unique violation (CONFLICT) and retries.
--
-- It runs as the owner, which therefore may read organizations (this function and the
-- operator's queries are the only owner-side readers).

create policy organizations_select_owner on public.organizations for select to onboardd_owner
  using (true);

create function onboardd_private.available_slug(base text, max_length integer default 50)
  returns text
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
  declare
    candidate text := base;
    stem text;
    n integer := 1;
  begin
    if base is null or base !~ '^[a-z0-9]+(-[a-z0-9]+)*$' or char_length(base) > max_length
       or max_length not between 8 and 120 then
      raise exception 'invalid slug base %', base using errcode = 'invalid_parameter_value';
    end if;
    while exists (select 1 from public.organizations o where o.slug = candidate) loop
      n := n + 1;
      if n > 1000 then
        -- Pathological: give up on short numbers.
        candidate := rtrim(left(base, max_length - 9), '-') || '-' || substr(md5(random()::text), 1, 8);
      else
        stem := rtrim(left(base, max_length - char_length(n::text) - 1), '-');
        candidate := coalesce(nullif(stem, ''), 'o') || '-' || n;
      end if;
    end loop;
    return candidate;
  end
  $$;
grant execute on function onboardd_private.available_slug(text, integer) to onboardd_app;
