-- available_slug() after 0009: numbered suffixes up to -5, then a random one, so a popular
-- name costs at most six probes.

select plan(3);

reset role;
insert into organizations (name, slug, industry, size, created_by)
  select 'Popular', s, 'technology', 'startup', 'zoe'
  from unnest(array['popular', 'popular-2', 'popular-3', 'popular-4']) as s;
select pg_temp.act_as('mallory');
select is(onboardd_private.available_slug('popular'), 'popular-5', 'numbered suffixes up to -5');
reset role;
insert into organizations (name, slug, industry, size, created_by)
  values ('Popular', 'popular-5', 'technology', 'startup', 'zoe');
select pg_temp.act_as('mallory');
select matches(onboardd_private.available_slug('popular'), '^popular-[0-9a-f]{8}$',
               'then a random suffix');
select matches(onboardd_private.available_slug(repeat('b', 50)) || (select ''), '^b+$',
               'a free full-length base is still returned as is');
select * from finish();
