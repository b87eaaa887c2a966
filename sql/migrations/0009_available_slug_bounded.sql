-- 0009 available_slug, bounded: 0007 probed base, base-2, base-3, ... one query each, so a
-- popular name ("test", "acme") made every new organization of that name slower than the
-- last (measured: /complete p99 352 ms at 64 connections with ~1000 "acme-bench" rows).
-- Now: base, then base-2 … base-5, then base-<8 random hex>: at most 6 index probes.

create or replace function onboardd_private.available_slug(base text, max_length integer default 50)
  returns text
  language plpgsql volatile security definer
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
      if n > 5 then
        stem := rtrim(left(base, max_length - 9), '-');
        candidate := coalesce(nullif(stem, ''), 'o') || '-' || substr(md5(random()::text), 1, 8);
      else
        stem := rtrim(left(base, max_length - char_length(n::text) - 1), '-');
        candidate := coalesce(nullif(stem, ''), 'o') || '-' || n;
      end if;
    end loop;
    return candidate;
  end
  $$;
