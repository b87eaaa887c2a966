-- onboarding_sessions and onboarding_progress: the user's own rows only; one in-progress
-- session per user; version bumped on every update; progress only under one's own session.

select plan(33);

-- sessions: select --------------------------------------------------------------------------
select pg_temp.act_as('bob', :'org_a');
select results_eq($$select id from onboarding_sessions$$, array[:'sess_bob'::uuid], 'a user sees only his sessions');
select pg_temp.act_as('alice', :'org_a');
select results_eq($$select id from onboarding_sessions$$, array[:'sess_alice'::uuid],
                  'an org owner does not see her members'' sessions');
select pg_temp.act_as('mallory');
select is((select count(*) from onboarding_sessions), 0::bigint, 'a new user sees none');

-- sessions: insert --------------------------------------------------------------------------
select lives_ok($$insert into onboarding_sessions (user_id) values ('mallory')$$, 'a user starts a session');
select throws_ok($$insert into onboarding_sessions (user_id, status) values ('mallory', 'in_progress')$$,
                 '23505', null, 'at most one in-progress session per user');
select throws_ok($$insert into onboarding_sessions (user_id, status) values ('zoe', 'abandoned')$$,
                 '42501', null, 'no sessions in another user''s name');
select throws_ok(format($$insert into onboarding_sessions (user_id, status, organization_id)
                          values ('mallory', 'completed', %L)$$, :'org_b'),
                 '42501', null, 'a session cannot point at an organization the user is not in');
select throws_ok($$insert into onboarding_sessions (user_id, status) values ('mallory', 'done')$$,
                 '23514', null, 'status is one of the four states');

-- sessions: update --------------------------------------------------------------------------
select pg_temp.act_as('bob', :'org_a');
with u as (update onboarding_sessions set form_data = '{"welcome": {"role": "ceo"}}', version = 100
           where id = :'sess_bob' and version = 1 returning version)
select is(max(version), 2, 'an update bumps the version by one, whatever the writer sent') from u;
with u as (update onboarding_sessions set current_step = 2 where id = :'sess_bob' and version = 1 returning 1)
select is(count(*)::int, 0, 'a write with a stale version matches nothing (412)') from u;
select throws_ok(format($$update onboarding_sessions set organization_id = %L where id = %L$$, :'org_b', :'sess_bob'),
                 '42501', null, 'a session cannot be linked to another organization');
select throws_ok(format($$update onboarding_sessions set user_id = 'zoe' where id = %L$$, :'sess_bob'),
                 '42501', null, 'a session cannot be handed to another user');
with u as (update onboarding_sessions set status = 'completed', organization_id = :'org_a'
           where id = :'sess_bob' returning completed_at)
select isnt(max(completed_at), null, 'completing a session stamps completed_at') from u;
select pg_temp.act_as('zoe', :'org_b');
with u as (update onboarding_sessions set status = 'abandoned' where id = :'sess_bob' returning 1)
select is(count(*)::int, 0, 'another user cannot touch the session') from u;

-- progress ----------------------------------------------------------------------------------
select pg_temp.act_as('bob', :'org_a');
select results_eq($$select session_id from onboarding_progress$$, array[:'sess_bob'::uuid],
                  'a user sees only his progress');
select lives_ok(format($$insert into onboarding_progress (session_id, user_id, step_number, step_name)
                         values (%L, 'bob', 2, 'company')$$, :'sess_bob'),
                'a user records a step of his session');
select throws_ok(format($$insert into onboarding_progress (session_id, user_id, step_number, step_name)
                          values (%L, 'bob', 2, 'company')$$, :'sess_zoe'),
                 '23503', null, 'not under another user''s session');
select throws_ok(format($$insert into onboarding_progress (session_id, user_id, step_number, step_name)
                          values (%L, 'zoe', 3, 'organization')$$, :'sess_zoe'),
                 '42501', null, 'nor in another user''s name');
select throws_ok(format($$insert into onboarding_progress (session_id, user_id, step_number, step_name)
                          values (%L, 'bob', 1, 'welcome')$$, :'sess_bob'),
                 '23505', null, 'one row per step of a session');
with u as (update onboarding_progress set is_completed = true, is_valid = true where user_id = 'bob' returning 1)
select is(count(*)::int, 2, 'a user updates his steps') from u;
select pg_temp.act_as('zoe', :'org_b');
select results_eq($$select session_id from onboarding_progress$$, array[:'sess_zoe'::uuid], 'the other user sees only hers');
with u as (update onboarding_progress set data = '{"x": 1}' where session_id = :'sess_bob' returning 1)
select is(count(*)::int, 0, 'another user cannot update them') from u;
with d as (delete from onboarding_progress where session_id = :'sess_bob' returning 1)
select is(count(*)::int, 0, 'nor delete them') from d;
with d as (delete from onboarding_sessions where id = :'sess_bob' returning 1)
select is(count(*)::int, 0, 'nor delete the session') from d;
select pg_temp.act_as('bob', :'org_a');
with d as (delete from onboarding_progress where step_number = 2 returning 1)
select is(count(*)::int, 1, 'a user deletes a step') from d;
with d as (delete from onboarding_sessions where id = :'sess_bob' returning 1)
select is(count(*)::int, 1, 'and his session') from d;
select is((select count(*) from onboarding_progress), 0::bigint, 'which takes its progress along');
select pg_temp.act_as_nobody();
with u as (update onboarding_sessions set status = 'expired' returning 1)
select is(count(*)::int, 0, 'without identity no session is updated') from u;

-- the schema behind the hot path and the triggers -------------------------------------------
reset role;
select has_index('public', 'onboarding_sessions', 'onboarding_sessions_user_latest_idx',
                 array['user_id', 'created_at'], 'the status query''s latest-session index');
select has_index('public', 'profiles', 'profiles_primary_user_idx', array['user_id'],
                 'the status query''s primary-profile index');
select is_empty($$select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                  join pg_attribute a on a.attrelid = c.oid and a.attname = 'updated_at'
                  where n.nspname = 'public' and c.relkind = 'r'
                    and not exists (select 1 from pg_trigger t where t.tgrelid = c.oid and not t.tgisinternal
                                    and (t.tgtype & 2) <> 0 and (t.tgtype & 16) <> 0)$$,
                'every table with updated_at has a BEFORE UPDATE trigger');
select is_empty($$select c.conrelid::regclass || ' ' || a.attname
                  from pg_constraint c
                  join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
                  where c.contype = 'f' and c.connamespace = 'public'::regnamespace
                    and not exists (select 1 from pg_index i where i.indrelid = c.conrelid
                                    and i.indkey[0] = c.conkey[1])$$,
                'every foreign key has an index leading with its first column');
select pg_temp.act_as('zoe', :'org_b');
select is((select version from onboarding_sessions where id = :'sess_zoe'), 1, 'untouched sessions keep version 1');
select * from finish();
