-- 0017 creator rows: the transaction that creates an organization writes its rows (owner,
-- departments, roles, logo, profile, session, audit) without calling a membership helper,
-- and an organization the caller created in another transaction gets no such pass.

select plan(21);

\set org_new '00000000-0000-4000-8000-0000000096a0'
\set org_old '00000000-0000-4000-8000-0000000096b0'
\set sess_new '00000000-0000-4000-8000-0000000096c0'

-- Count the helpers' calls in this transaction (pg_stat_xact_user_functions needs tracking).
set local track_functions = 'all';
create function pg_temp.helper_calls() returns bigint
  language sql
  as $$
    select coalesce(sum(calls), 0) from pg_stat_xact_user_functions
    where schemaname = 'onboardd_private'
      and funcname in ('member_org_ids', 'admin_org_ids', 'owner_org_ids')
  $$;

-- An organization "carol96" created earlier, in another transaction: its created_xact is not
-- this one's (the stamp trigger runs only on insert, so the superuser can age it).
insert into organizations (id, name, slug, industry, size, created_by)
  values (:'org_old', 'Old Carol', 'old-carol-96', 'technology', 'startup', 'carol96');
update organizations set created_xact = '3'::xid8 where id = :'org_old';

-- What POST /complete writes, as the app role, for a new organization ------------------------
select pg_temp.act_as('carol96');
select pg_temp.helper_calls() as calls_before \gset

select lives_ok(format($$insert into organizations (id, name, slug, industry, size, created_by)
                         values (%L, 'New Carol', 'new-carol-96', 'technology', 'small', 'carol96')$$,
                       :'org_new'),
                'the creator inserts the organization');
select lives_ok(format($$insert into organization_members (organization_id, user_id, role)
                         select o.id, o.created_by, 'owner' from organizations o where o.id = %L$$,
                       :'org_new'),
                'its owner membership');
select lives_ok(format($$insert into departments (organization_id, name)
                         select o.id, 'Eng' from organizations o where o.id = %L$$, :'org_new'),
                'a department');
select lives_ok(format($$insert into roles (organization_id, key, name, is_system)
                         select o.id, 'gerente', 'Gerente', true from organizations o where o.id = %L$$,
                       :'org_new'),
                'a role');
select lives_ok(format($$insert into organization_logos (organization_id, source_url)
                         select o.id, 'https://example.com/l.png' from organizations o where o.id = %L$$,
                       :'org_new'),
                'its logo');
select lives_ok(format($$insert into profiles (user_id, organization_id, full_name, role_type)
                         select o.created_by, o.id, 'Carol', 'corporativo' from organizations o
                         where o.id = %L$$, :'org_new'),
                'the creator''s profile in it');
select lives_ok(format($$insert into onboarding_sessions (id, user_id, status, organization_id)
                         values (%L, 'carol96', 'completed', %L)$$, :'sess_new', :'org_new'),
                'a completed session linked to it');
select lives_ok(format($$update onboarding_sessions set organization_id = %L where id = %L$$,
                       :'org_new', :'sess_new'),
                'a session moved to it');
select lives_ok(format($$insert into audit_log (organization_id, actor_id, action, entity_type, entity_id)
                         values (%L, 'carol96', 'organization.created', 'organization', %L)$$,
                       :'org_new', :'org_new'),
                'its audit row');
select is(pg_temp.helper_calls() - :calls_before, 0::bigint,
          'none of those statements called a membership helper');

-- ... and the rows are the organization's, readable as a member afterwards.
select is((select count(*) from departments where organization_id = :'org_new'), 1::bigint,
          'the department is there');

-- Created in another transaction: no pass, the helpers decide --------------------------------
select is((select count(*) from organizations where id = :'org_old'), 0::bigint,
          'an organization created by the caller in another transaction is not visible without membership');
select throws_ok(format($$insert into departments (organization_id, name) values (%L, 'Eng')$$, :'org_old'),
                 '42501', null, 'no department in it');
select throws_ok(format($$insert into roles (organization_id, key, name) values (%L, 'x', 'X')$$, :'org_old'),
                 '42501', null, 'no role');
select throws_ok(format($$insert into organization_logos (organization_id, source_url)
                          values (%L, 'https://example.com/x.png')$$, :'org_old'),
                 '42501', null, 'no logo');
select throws_ok(format($$insert into profiles (user_id, organization_id, full_name, role_type)
                          values ('carol96', %L, 'C', 'empleado')$$, :'org_old'),
                 '42501', null, 'no profile in it');
select throws_ok(format($$insert into onboarding_sessions (user_id, status, organization_id)
                          values ('carol96', 'completed', %L)$$, :'org_old'),
                 '42501', null, 'no session linked to it');
select throws_ok(format($$update onboarding_sessions set organization_id = %L where id = %L$$,
                        :'org_old', :'sess_new'),
                 '42501', null, 'no session moved to it');
select throws_ok(format($$insert into audit_log (organization_id, actor_id, action, entity_type)
                          values (%L, 'carol96', 'x.y', 'organization')$$, :'org_old'),
                 '42501', null, 'no audit row for it');

-- Created in this transaction by someone else: no pass either --------------------------------
select pg_temp.act_as('mallory');
select throws_ok(format($$insert into departments (organization_id, name) values (%L, 'Eng')$$, :'org_new'),
                 '42501', null, 'another user cannot write into an organization created in this transaction');
select throws_ok(format($$insert into audit_log (organization_id, actor_id, action, entity_type)
                          values (%L, 'mallory', 'x.y', 'organization')$$, :'org_new'),
                 '42501', null, 'nor audit it');
reset role;
