-- organizations and organization_members: visibility through membership, the
-- create-an-organization-with-its-owner path, and the ways to hijack one that must fail.

select plan(44);

-- organizations: select ---------------------------------------------------------------------
select pg_temp.act_as('alice', :'org_a');
select results_eq($$select id from organizations$$, array[:'org_a'::uuid], 'owner sees her organization only');
select pg_temp.act_as('bob', :'org_a');
select results_eq($$select id from organizations$$, array[:'org_a'::uuid], 'member sees his organization only');
select pg_temp.act_as('zoe', :'org_b');
select results_eq($$select id from organizations$$, array[:'org_b'::uuid], 'other tenant sees only hers');
select pg_temp.act_as('mallory');
select is((select count(*) from organizations), 0::bigint, 'non-member sees no organization');
-- app.org_id is a hint, not a key: naming another organization reveals nothing.
select pg_temp.act_as('alice', :'org_b');
select is((select count(*) from organizations where id = :'org_b'), 0::bigint,
          'app.org_id naming another organization does not make it visible');
select is((select count(*) from organization_members where organization_id = :'org_b'), 0::bigint,
          'nor its members');

-- organizations: update / delete ------------------------------------------------------------
select pg_temp.act_as('adam', :'org_a');
with u as (update organizations set description = 'by admin' where id = :'org_a' returning 1)
select is(count(*)::int, 1, 'admin updates his organization') from u;
select pg_temp.act_as('bob', :'org_a');
with u as (update organizations set description = 'by member' where id = :'org_a' returning 1)
select is(count(*)::int, 0, 'member cannot update the organization') from u;
select pg_temp.act_as('alice', :'org_a');
with u as (update organizations set description = 'hijack' where id = :'org_b' returning 1)
select is(count(*)::int, 0, 'owner of A cannot update B') from u;
select throws_ok($$update organizations set created_by = 'mallory' where id = '$$ || :'org_a' || $$'$$,
                 '42501', null, 'created_by cannot be rewritten');
select pg_temp.act_as('adam', :'org_a');
with d as (delete from organizations where id = :'org_a' returning 1)
select is(count(*)::int, 0, 'admin (not owner) cannot delete the organization') from d;
select pg_temp.act_as('alice', :'org_a');
with d as (delete from organizations where id = :'org_b' returning 1)
select is(count(*)::int, 0, 'owner of A cannot delete B') from d;

-- organization_members: select --------------------------------------------------------------
select pg_temp.act_as('bob', :'org_a');
select results_eq($$select user_id from organization_members order by user_id$$,
                  array['adam', 'alice', 'bob'], 'a member sees the members of his organization only');
select pg_temp.act_as('zoe', :'org_b');
select results_eq($$select user_id from organization_members$$, array['zoe'],
                  'the other tenant sees only her own membership');
select pg_temp.act_as('mallory');
select is((select count(*) from organization_members), 0::bigint, 'non-member sees no membership');

-- Creating an organization with its owner membership (the completion transaction) -----------
select pg_temp.act_as('mallory');
select throws_ok($$insert into organizations (name, slug, industry, size, created_by)
                   values ('Fake', 'fake', 'technology', 'startup', 'zoe')$$,
                 '42501', null, 'cannot create an organization in someone else''s name');
reset role;
create temp table new_org (id uuid);
grant all on new_org to onboardd_app;
select pg_temp.act_as('mallory');
with o as (insert into organizations (name, slug, industry, size, created_by)
           values ('Mallory Inc', 'mallory-inc', 'technology', 'startup', 'mallory') returning id)
insert into new_org select id from o;
select is((select count(*) from new_org), 1::bigint,
          'INSERT ... RETURNING a new organization works before any membership exists');
select throws_ok(format($$insert into organization_members (organization_id, user_id, role)
                          values (%L, 'zoe', 'owner')$$, (select id from new_org)),
                 '42501', null, 'the creator cannot make someone else owner of the new organization');
select throws_ok(format($$insert into organization_members (organization_id, user_id, role)
                          values (%L, 'mallory', 'admin')$$, (select id from new_org)),
                 '42501', null, 'the creation path grants exactly the owner role');
select lives_ok(format($$insert into organization_members (organization_id, user_id, role)
                         values (%L, 'mallory', 'owner')$$, (select id from new_org)),
                'the creator becomes owner of the organization she just created');
select lives_ok(format($$insert into departments (organization_id, name) values (%L, 'General');
                         insert into roles (organization_id, key, name) values (%L, 'corporativo', 'Corporativo');
                         insert into organization_logos (organization_id, content_type, data)
                           values (%L, 'image/png', '\x89504e47');
                         insert into profiles (user_id, organization_id, full_name, role_type)
                           values ('mallory', %L, 'Mallory', 'corporativo');
                         insert into audit_log (organization_id, actor_id, action, entity_type)
                           values (%L, 'mallory', 'organization.create', 'organization')$$,
                       (select id from new_org), (select id from new_org), (select id from new_org),
                       (select id from new_org), (select id from new_org)),
                'then departments, roles, logo, profile and audit of the new organization');
select results_eq($$select count(*) from organizations$$, array[1::bigint],
                  'and she sees exactly that organization');

-- Hijack attempts ---------------------------------------------------------------------------
select pg_temp.act_as('mallory');
select throws_ok(format($$insert into organization_members (organization_id, user_id, role)
                          values (%L, 'mallory', 'owner')$$, :'org_b'),
                 '42501', null, 'cannot make herself owner of another organization');
select throws_ok(format($$insert into organization_members (organization_id, user_id, role)
                          values (%L, 'mallory', 'member')$$, :'org_b'),
                 '42501', null, 'cannot join another organization');
select pg_temp.act_as('zoe', :'org_b');
select throws_ok(format($$insert into organization_members (organization_id, user_id, role)
                          values (%L, 'zoe', 'admin')$$, :'org_a'),
                 '42501', null, 'an owner elsewhere cannot make herself admin of A');
select pg_temp.act_as('alice', :'org_a');
select throws_ok(format($$insert into organization_members (organization_id, user_id, role)
                          values (%L, 'mallory', 'member')$$, :'org_a'),
                 '42501', null, 'no invitations through this table, even by the owner');
-- An organization created by mallory in an earlier transaction (a stale created_xact), of
-- which she is not a member: invisible, and no owner membership can be claimed for it.
reset role;
insert into organizations (id, name, slug, industry, size, created_by)
  values ('00000000-0000-4000-8000-0000000000cc', 'Old', 'old-org', 'technology', 'startup', 'mallory');
update organizations set created_xact = '3'::xid8 where id = '00000000-0000-4000-8000-0000000000cc';
select pg_temp.act_as('mallory');
select is((select count(*) from organizations where id = '00000000-0000-4000-8000-0000000000cc'),
          0::bigint, 'an organization created in an earlier transaction is not visible to its creator alone');
select throws_ok($$insert into organization_members (organization_id, user_id, role)
                   values ('00000000-0000-4000-8000-0000000000cc', 'mallory', 'owner')$$,
                 '42501', null, 'and its owner membership cannot be claimed later');

-- organization_members: update --------------------------------------------------------------
select pg_temp.act_as('bob', :'org_a');
with u as (update organization_members set role = 'admin' where user_id = 'bob' returning 1)
select is(count(*)::int, 0, 'a member cannot promote himself') from u;
select pg_temp.act_as('zoe', :'org_b');
with u as (update organization_members set role = 'member' where organization_id = :'org_a' returning 1)
select is(count(*)::int, 0, 'another tenant cannot touch A''s memberships') from u;
select pg_temp.act_as('adam', :'org_a');
with u as (update organization_members set role = 'member' where user_id = 'alice' returning 1)
select is(count(*)::int, 0, 'an admin cannot demote the owner') from u;
select throws_ok(format($$update organization_members set role = 'owner'
                          where organization_id = %L and user_id = 'bob'$$, :'org_a'),
                 '42501', null, 'an admin cannot grant owner');
select throws_ok(format($$update organization_members set user_id = 'mallory'
                          where organization_id = %L and user_id = 'bob'$$, :'org_a'),
                 '42501', null, 'a membership cannot be handed to another user');
select throws_ok(format($$update organization_members set organization_id = %L
                          where organization_id = %L and user_id = 'bob'$$, :'org_b', :'org_a'),
                 '42501', null, 'a membership cannot be moved to another organization');
with u as (update organization_members set job_title = 'Engineer', role = 'admin'
           where organization_id = :'org_a' and user_id = 'bob' returning 1)
select is(count(*)::int, 1, 'an admin promotes a member of his organization') from u;
select pg_temp.act_as('alice', :'org_a');
with u as (update organization_members set role = 'owner' where user_id = 'adam' returning 1)
select is(count(*)::int, 1, 'the owner may grant owner') from u;

-- organization_members: delete --------------------------------------------------------------
savepoint before_delete;
select pg_temp.act_as('bob', :'org_a');
with d as (delete from organization_members where user_id = 'alice' returning 1)
select is(count(*)::int, 0, 'a member cannot remove the owner') from d;
select pg_temp.act_as('zoe', :'org_b');
with d as (delete from organization_members where organization_id = :'org_a' returning 1)
select is(count(*)::int, 0, 'another tenant cannot remove A''s members') from d;
select pg_temp.act_as('alice', :'org_a');
with d as (delete from organization_members where user_id = 'alice' returning 1)
select is(count(*)::int, 0, 'an owner cannot leave (no orphaned organizations)') from d;
rollback to savepoint before_delete;
reset role;
update organization_members set role = 'member' where user_id in ('bob') and organization_id = :'org_a';
select pg_temp.act_as('bob', :'org_a');
with d as (delete from organization_members where user_id = 'bob' returning 1)
select is(count(*)::int, 1, 'a member may leave') from d;
select is((select count(*) from organizations), 0::bigint, 'and then no longer sees the organization');

-- organizations: the owner deletes (last: it cascades) ---------------------------------------
select pg_temp.act_as('zoe', :'org_b');
with d as (delete from organizations where id = :'org_b' returning 1)
select is(count(*)::int, 1, 'the owner deletes her organization') from d;
reset role;
select is((select count(*) from departments where organization_id = :'org_b'), 0::bigint,
          'which cascades to its departments');
select is((select count(*) from organizations where id = :'org_a'), 1::bigint,
          'and leaves the other organization alone');
select * from finish();
