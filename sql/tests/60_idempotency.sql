-- idempotency_keys: the user's own rows only.

select plan(10);

select pg_temp.act_as('bob', :'org_a');
select results_eq($$select request_hash from idempotency_keys$$, array['hash-bob'], 'a user sees only his keys');
select lives_ok($$insert into idempotency_keys (user_id, key, route, request_hash) values ('bob', 'k2', 'POST /api/onboarding/complete', 'h')$$,
                'a user records a key');
select throws_ok($$insert into idempotency_keys (user_id, key, route, request_hash) values ('bob', 'k2', 'POST /api/onboarding/complete', 'h')$$,
                 '23505', null, 'a key is recorded once per user');
select throws_ok($$insert into idempotency_keys (user_id, key, route, request_hash) values ('zoe', 'k9', 'POST /x', 'h')$$,
                 '42501', null, 'not in another user''s name');
with u as (update idempotency_keys set response_status = 200, response_body = '{}', completed_at = now()
           where key = 'k2' returning 1)
select is(count(*)::int, 1, 'a user completes his key with the response') from u;
with u as (update idempotency_keys set response_status = 500 where user_id = 'zoe' returning 1)
select is(count(*)::int, 0, 'another user''s key cannot be completed') from u;
with d as (delete from idempotency_keys where user_id = 'zoe' returning 1)
select is(count(*)::int, 0, 'nor deleted') from d;
with d as (delete from idempotency_keys where key = 'k1' returning 1)
select is(count(*)::int, 1, 'a user deletes his own') from d;
select pg_temp.act_as('zoe', :'org_b');
select results_eq($$select key from idempotency_keys$$, array['k1'], 'the same key of another user is separate');
select pg_temp.act_as('mallory');
select is((select count(*) from idempotency_keys), 0::bigint, 'a new user has none');
select * from finish();
