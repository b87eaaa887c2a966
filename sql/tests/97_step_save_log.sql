-- onboarding_step_saves (0019): the audit row of each draft save, unchained; its policies, its
-- immutability, and the seal a completion writes into the organization's chain, which
-- audit_verify_chains() checks.

select plan(21);

\set org_m '00000000-0000-4000-8000-0000000097a0'
\set sess_m '00000000-0000-4000-8000-0000000097a1'

-- Insert: the caller's own rows only ---------------------------------------------------------------
select pg_temp.act_as('bob', :'org_a');
select lives_ok(format($$insert into onboarding_step_saves (session_id, user_id, step)
                         values (%L, 'bob', 2)$$, :'sess_bob'),
                'a user logs a save of his own');
select throws_ok(format($$insert into onboarding_step_saves (session_id, user_id, step)
                          values (%L, 'zoe', 2)$$, :'sess_zoe'),
                 '42501', null, 'but not one in another user''s name');
select pg_temp.act_as_nobody();
select throws_ok(format($$insert into onboarding_step_saves (session_id, user_id, step)
                          values (%L, 'bob', 2)$$, :'sess_bob'),
                 '42501', null, 'and without identity nothing is logged');

-- Select: the user's own; the owner all ------------------------------------------------------------
select pg_temp.act_as('bob', :'org_a');
select results_eq($$select step, request_id from onboarding_step_saves order by step$$,
                  $$values (1, null::text), (2, 'req-pgtap')$$,
                  'bob reads his own saves (request id from app.request_id)');
select pg_temp.act_as('zoe', :'org_b');
select is((select count(*) from onboarding_step_saves where user_id <> 'zoe'), 0::bigint,
          'zoe reads none of another user''s');
select pg_temp.act_as('alice', :'org_a');
select is((select count(*) from onboarding_step_saves where user_id = 'bob'), 0::bigint,
          'nor does bob''s organization''s owner: a draft is the user''s');
select pg_temp.act_as_nobody();
select is((select count(*) from onboarding_step_saves), 0::bigint, 'no identity reads nothing');
reset role;
set local role onboardd_owner;
select is((select count(*) from onboarding_step_saves where user_id in ('bob', 'zoe')), 3::bigint,
          'the owner reads every user''s');
reset role;

-- Append-only ----------------------------------------------------------------------------------------
select pg_temp.act_as('bob', :'org_a');
select throws_ok($$update onboarding_step_saves set step = 3 where user_id = 'bob'$$, '42501', null,
                 'the app may not change a logged save');
select throws_ok($$delete from onboarding_step_saves where user_id = 'bob'$$, '42501', null,
                 'nor delete one');
select throws_ok($$truncate onboarding_step_saves$$, '42501', null, 'nor truncate the log');
reset role;
select throws_ok($$update onboarding_step_saves set step = 3 where user_id = 'bob'$$, '42501',
                 'audit_log is append-only', 'no role may change one (trigger), not even the superuser');
select throws_ok($$delete from onboarding_step_saves where user_id = 'bob'$$, '42501',
                 'audit_log is append-only', 'nor delete one');

-- The digest sees what the caller may read --------------------------------------------------------
select pg_temp.act_as('bob', :'org_a');
select is((select onboardd_private.step_saves_digest(array[:'sess_bob']::uuid[]) -> 'count'),
          '2'::jsonb, 'bob''s digest of his session counts his two saves');
select pg_temp.act_as('zoe', :'org_b');
select is((select onboardd_private.step_saves_digest(array[:'sess_bob']::uuid[])),
          jsonb_build_object('count', 0, 'sha256', encode(sha256(convert_to('[]', 'UTF8')), 'hex')),
          'zoe''s digest of bob''s session sees nothing of it');
reset role;

-- The seal: a completion into a new organization seals the draft's saves -----------------------------
insert into organizations (id, name, slug, industry, size, created_by) values
  (:'org_m', 'Org M', 'org-m-97', 'technology', 'startup', 'mallory');
insert into organization_members (organization_id, user_id, role) values (:'org_m', 'mallory', 'owner');
select pg_temp.act_as('mallory');
select onboardd_private.save_step(:'sess_m', 'wizard', 4, 168, 1, 'welcome', '{"role": "ceo"}');
select onboardd_private.save_step(gen_random_uuid(), 'wizard', 4, 168, 2, 'company', '{"name": "M"}');
reset role;
update onboarding_sessions set status = 'completed', organization_id = :'org_m' where id = :'sess_m';
select pg_temp.act_as('mallory', :'org_m');
select results_eq(format($$select onboardd_private.step_saves_seal(%L) - 'sha256'$$, :'org_m'),
                  format($$values (jsonb_build_object('sessions', jsonb_build_array(%L::text), 'count', 2))$$, :'sess_m'),
                  'the seal names the session that completed into the organization and counts its saves');
select lives_ok(format($$insert into audit_log (organization_id, actor_id, action, entity_type, details)
                         values (%1$L, 'mallory', 'onboarding.completed', 'profile',
                                 jsonb_build_object('stepSaves', onboardd_private.step_saves_seal(%1$L)))$$, :'org_m'),
                'the completion''s audit row carries it');
reset role;
set local role onboardd_owner;
select results_eq(format($$select row_count, first_bad_seq, problem from onboardd_private.audit_verify_chains('org:%s')$$, :'org_m'),
                  $$values (1::bigint, null::bigint, null::text)$$,
                  'the organization''s chain verifies with its seal');
reset role;
-- A save deleted behind the triggers' back breaks the seal.
set local session_replication_role = replica;
delete from onboarding_step_saves where session_id = :'sess_m' and step = 2;
set local session_replication_role = origin;
set local role onboardd_owner;
select results_eq(format($$select first_bad_seq, problem from onboardd_private.audit_verify_chains('org:%s')$$, :'org_m'),
                  $$values (1::bigint, 'step_saves'::text)$$,
                  'audit_verify_chains names the completion whose sealed saves changed');
reset role;

-- The app may not run the verification -------------------------------------------------------------
select pg_temp.act_as('mallory', :'org_m');
select throws_ok($$select * from onboardd_private.audit_verify_chains()$$, '42501', null,
                 'the app role may not run audit_verify_chains');
reset role;
select is((select relforcerowsecurity from pg_class where oid = 'public.onboarding_step_saves'::regclass),
          true, 'row level security is forced on the log');
