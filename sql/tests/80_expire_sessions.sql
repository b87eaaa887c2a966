-- expire_stale_sessions(): the periodic job marks stale in-progress sessions of every user
-- expired, and the owner's policies allow that transition only.

select plan(9);

update onboarding_sessions set expires_at = now() - interval '1 minute' where id = :'sess_bob';
select version as bob_version from onboarding_sessions where id = :'sess_bob' \gset

select pg_temp.act_as_nobody();
select ok(onboardd_private.expire_stale_sessions() >= 1,
          'the job runs without an identity and marks stale sessions of any user');
reset role;
select is((select status from onboarding_sessions where id = :'sess_bob'), 'expired',
          'a stale in-progress session becomes expired');
select is((select status from onboarding_sessions where id = :'sess_zoe'), 'in_progress',
          'a fresh in-progress session is untouched');
select is((select status from onboarding_sessions where id = :'sess_alice'), 'completed',
          'a completed session is untouched');
select is((select version from onboarding_sessions where id = :'sess_bob'), :bob_version + 1,
          'the transition bumps the version (stale If-Match writes get 412)');
select pg_temp.act_as('mallory');
select lives_ok($$select onboardd_private.expire_stale_sessions(5)$$, 'any user''s request may run it');
reset role;
select is((select version from onboarding_sessions where id = :'sess_bob'), :bob_version + 1,
          'a second run leaves an expired session alone');

-- The owner (what the function runs as) may do nothing else with sessions.
reset role;
update onboarding_sessions set expires_at = now() - interval '1 minute' where id = :'sess_zoe';
set local role onboardd_owner;
with u as (update onboarding_sessions set form_data = '{"x": 1}' where id = :'sess_alice' returning 1)
select is(count(*)::int, 0, 'the owner cannot touch a session that is not stale') from u;
select throws_ok(format($$update onboarding_sessions set status = 'completed' where id = %L$$, :'sess_zoe'),
                 '42501', null, 'the owner can only make a stale session expired');
reset role;
select * from finish();
