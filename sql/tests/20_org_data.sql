-- Organization data: profiles (the user's own; org admins read), departments, roles and
-- logos (members read, admins write), with their constraints.

select plan(51);

-- profiles ----------------------------------------------------------------------------------
select pg_temp.act_as('bob', :'org_a');
select results_eq($$select user_id from profiles$$, array['bob'], 'a member sees only his own profile');
select pg_temp.act_as('alice', :'org_a');
select results_eq($$select user_id from profiles order by user_id$$, array['adam', 'alice', 'bob'],
                  'an org owner sees the profiles of her organization, not others''');
select pg_temp.act_as('zoe', :'org_b');
select results_eq($$select user_id from profiles$$, array['zoe'], 'the other tenant sees only hers');
select pg_temp.act_as('mallory');
select is((select count(*) from profiles), 0::bigint, 'a user without profile sees none');
select lives_ok($$insert into profiles (user_id, full_name, role_type) values ('mallory', 'M', 'empleado')$$,
                'a user creates her own profile');
select throws_ok($$insert into profiles (user_id, full_name, role_type, is_primary)
                   values ('zoe', 'Z', 'empleado', false)$$,
                 '42501', null, 'but not one for another user');
select throws_ok(format($$insert into profiles (user_id, organization_id, full_name, role_type, is_primary)
                          values ('mallory', %L, 'M', 'empleado', false)$$, :'org_b'),
                 '42501', null, 'nor one in an organization she does not belong to');
select throws_ok($$insert into profiles (user_id, full_name, role_type, is_primary)
                   values ('mallory', 'M2', 'empleado', true)$$,
                 '23505', null, 'one primary profile per user');
select pg_temp.act_as('bob', :'org_a');
with u as (update profiles set full_name = 'Robert' where user_id = 'bob' returning 1)
select is(count(*)::int, 1, 'a user updates his profile') from u;
with u as (update profiles set full_name = 'x' where user_id <> 'bob' returning 1)
select is(count(*)::int, 0, 'not anyone else''s') from u;
select throws_ok(format($$update profiles set organization_id = %L where user_id = 'bob'$$, :'org_b'),
                 '42501', null, 'a profile cannot move into an organization of which he is not a member');
select throws_ok($$update profiles set user_id = 'zoe' where user_id = 'bob'$$,
                 '42501', null, 'a profile cannot be handed to another user');
select pg_temp.act_as('alice', :'org_a');
with u as (update profiles set full_name = 'x' where user_id = 'bob' returning 1)
select is(count(*)::int, 0, 'org admins read profiles but do not edit them') from u;
select pg_temp.act_as('zoe', :'org_b');
with d as (delete from profiles where user_id = 'bob' returning 1)
select is(count(*)::int, 0, 'another tenant cannot delete a profile') from d;
select pg_temp.act_as('bob', :'org_a');
with d as (delete from profiles where user_id = 'bob' returning 1)
select is(count(*)::int, 1, 'a user deletes his own profile') from d;

-- departments -------------------------------------------------------------------------------
select pg_temp.act_as('bob', :'org_a');
select results_eq($$select id from departments$$, array[:'dept_a'::uuid], 'members see their organization''s departments');
select pg_temp.act_as('zoe', :'org_b');
select results_eq($$select id from departments$$, array[:'dept_b'::uuid], 'and only theirs');
select pg_temp.act_as('mallory');
select is((select count(*) from departments), 0::bigint, 'a non-member sees none');
select pg_temp.act_as('bob', :'org_a');
select throws_ok(format($$insert into departments (organization_id, name) values (%L, 'Sales')$$, :'org_a'),
                 '42501', null, 'a member cannot create departments');
select pg_temp.act_as('alice', :'org_a');
select throws_ok(format($$insert into departments (organization_id, name) values (%L, 'Sales')$$, :'org_b'),
                 '42501', null, 'an owner cannot create departments in another organization');
select pg_temp.act_as('adam', :'org_a');
select lives_ok(format($$insert into departments (id, organization_id, name, parent_id)
                         values ('00000000-0000-4000-8000-0000000000a2', %L, 'Platform', %L)$$,
                       :'org_a', :'dept_a'),
                'an admin creates a department under a parent of the same organization');
select throws_ok(format($$insert into departments (organization_id, name) values (%L, 'ENGINEERING')$$, :'org_a'),
                 '23505', null, 'department names are unique per organization, case-insensitively');
select throws_ok(format($$insert into departments (organization_id, name, parent_id) values (%L, 'X', %L)$$,
                        :'org_a', :'dept_b'),
                 '23503', null, 'the parent must be in the same organization');
select throws_ok(format($$update departments set parent_id = '00000000-0000-4000-8000-0000000000a2' where id = %L$$,
                        :'dept_a'),
                 '23514', null, 'no cycles in the department tree');
select throws_ok(format($$insert into departments (organization_id, name) values (%L, '  ')$$, :'org_a'),
                 '23514', null, 'a department has a name');
select pg_temp.act_as('zoe', :'org_b');
select lives_ok($$insert into departments (organization_id, name) values ('00000000-0000-4000-8000-00000000000b', 'Engineering')$$,
                'another organization may reuse the name');
with u as (update departments set name = 'hijack' where id = :'dept_a' returning 1)
select is(count(*)::int, 0, 'another tenant cannot rename A''s department') from u;
with d as (delete from departments where id = :'dept_a' returning 1)
select is(count(*)::int, 0, 'nor delete it') from d;
select pg_temp.act_as('bob', :'org_a');
with u as (update departments set name = 'x' where id = :'dept_a' returning 1)
select is(count(*)::int, 0, 'a member cannot rename departments') from u;
select pg_temp.act_as('adam', :'org_a');
select throws_ok(format($$update departments set organization_id = %L where id = %L$$, :'org_b', :'dept_a'),
                 '42501', null, 'a department cannot be moved to another organization');
with u as (update departments set description = 'Builds things' where id = :'dept_a' returning 1)
select is(count(*)::int, 1, 'an admin edits a department') from u;
with d as (delete from departments where id = :'dept_a' returning 1)
select is(count(*)::int, 1, 'and deletes one') from d;
select is((select parent_id from departments where id = '00000000-0000-4000-8000-0000000000a2'), null,
          'its children lose their parent, not their organization');

-- roles -------------------------------------------------------------------------------------
select pg_temp.act_as('bob', :'org_a');
select results_eq($$select organization_id from roles$$, array[:'org_a'::uuid], 'members see their role catalog only');
select throws_ok(format($$insert into roles (organization_id, key, name) values (%L, 'gerente', 'Gerente')$$, :'org_a'),
                 '42501', null, 'a member cannot add roles');
select pg_temp.act_as('adam', :'org_a');
select lives_ok(format($$insert into roles (organization_id, key, name) values (%L, 'gerente', 'Gerente')$$, :'org_a'),
                'an admin adds a role');
select throws_ok(format($$insert into roles (organization_id, key, name) values (%L, 'gerente', 'Gerente')$$, :'org_b'),
                 '42501', null, 'but not to another organization');
with u as (update roles set description = 'x' where organization_id = :'org_a' returning 1)
select is(count(*)::int, 2, 'an admin edits his roles') from u;
select pg_temp.act_as('zoe', :'org_b');
with u as (update roles set description = 'x' where organization_id = :'org_a' returning 1)
select is(count(*)::int, 0, 'another tenant cannot edit A''s roles') from u;
with d as (delete from roles where organization_id = :'org_a' returning 1)
select is(count(*)::int, 0, 'nor delete them') from d;
select pg_temp.act_as('adam', :'org_a');
with d as (delete from roles where key = 'gerente' returning 1)
select is(count(*)::int, 1, 'an admin deletes a role') from d;

-- organization_logos ------------------------------------------------------------------------
select pg_temp.act_as('bob', :'org_a');
select results_eq($$select organization_id from organization_logos$$, array[:'org_a'::uuid],
                  'members see their organization''s logo only');
with u as (update organization_logos set content_type = 'image/jpeg' where organization_id = :'org_a' returning 1)
select is(count(*)::int, 0, 'a member cannot replace the logo') from u;
select pg_temp.act_as('zoe', :'org_b');
with u as (update organization_logos set data = '\x00' where organization_id = :'org_a' returning 1)
select is(count(*)::int, 0, 'another tenant cannot replace A''s logo') from u;
with d as (delete from organization_logos where organization_id = :'org_a' returning 1)
select is(count(*)::int, 0, 'nor delete it') from d;
select pg_temp.act_as('adam', :'org_a');
select throws_ok(format($$update organization_logos set content_type = 'image/svg+xml' where organization_id = %L$$, :'org_a'),
                 '23514', null, 'SVG logos are refused');
select throws_ok(format($$update organization_logos set data = convert_to(repeat('x', 2097153), 'UTF8') where organization_id = %L$$, :'org_a'),
                 '23514', null, 'logos over 2 MB are refused');
with u as (update organization_logos set content_type = 'image/jpeg', data = '\xffd8ff' where organization_id = :'org_a' returning 1)
select is(count(*)::int, 1, 'an admin replaces the logo') from u;
with d as (delete from organization_logos where organization_id = :'org_a' returning 1)
select is(count(*)::int, 1, 'an admin deletes the logo') from d;
select lives_ok(format($$insert into organization_logos (organization_id, source_url) values (%L, 'https://example.com/logo.png')$$, :'org_a'),
                'and sets a logo URL instead');
select throws_ok(format($$insert into organization_logos (organization_id, content_type, data) values (%L, 'image/png', '\x00')$$, :'org_b'),
                 '42501', null, 'but cannot set another organization''s logo');
select * from finish();
