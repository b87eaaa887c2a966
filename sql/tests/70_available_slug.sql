-- available_slug(): free slugs across organizations the caller cannot see, in one statement.

select plan(7);

select pg_temp.act_as('mallory');
select is(onboardd_private.available_slug('fresh-name'), 'fresh-name', 'a free slug is returned as is');
select is(onboardd_private.available_slug('org-b'), 'org-b-2',
          'a slug taken by an organization the caller cannot see gets a suffix');
reset role;
insert into organizations (name, slug, industry, size, created_by)
  values ('B2', 'org-b-2', 'technology', 'startup', 'zoe');
select pg_temp.act_as('mallory');
select is(onboardd_private.available_slug('org-b'), 'org-b-3', 'and the next suffix when that is taken too');
reset role;
insert into organizations (name, slug, industry, size, created_by)
  values ('Long', repeat('a', 50), 'technology', 'startup', 'zoe');
select pg_temp.act_as('mallory');
select is(onboardd_private.available_slug(repeat('a', 50)), repeat('a', 48) || '-2',
          'a full-length base is shortened to fit its suffix');
select throws_ok($$select onboardd_private.available_slug('Not A Slug')$$, '22023', null,
                 'a malformed base is refused');
select lives_ok($$insert into organizations (name, slug, industry, size, created_by)
                  values ('Mallory', onboardd_private.available_slug('org-a'), 'technology', 'startup', 'mallory')$$,
                'creating an organization with a taken name succeeds in one statement');
select is((select slug from organizations), 'org-a-2', 'with the suffixed slug');
select * from finish();
