-- purge_idempotency_keys(): the periodic job deletes expired keys of every user, boundedly,
-- through the owner's policies, which show and allow deleting expired keys only.

select plan(9);

select results_eq($$select cmd || ' ' || (array_to_string(roles::text[], ',') collate "default") from pg_policies
                    where tablename = 'idempotency_keys' and policyname like '%expired_owner' order by 1$$,
                  array['DELETE onboardd_owner', 'SELECT onboardd_owner'],
                  'the owner has one policy per command it needs (select, delete), nothing else');

-- Other tests share this database: their expired keys leave it for this transaction only.
delete from idempotency_keys where user_id not in ('alice', 'bob', 'zoe') and expires_at <= now();
update idempotency_keys set expires_at = now() - interval '1 second' where user_id = 'bob';
insert into idempotency_keys (user_id, key, route, request_hash, expires_at)
select 'zoe', 'old-' || g, 'POST /x', 'h', now() - interval '1 hour' from generate_series(1, 5) g;

set local role onboardd_owner;
select is((select count(*) from idempotency_keys where user_id = 'zoe'), 5::bigint,
          'the owner sees expired keys only');
with d as (delete from idempotency_keys where key = 'k1' and user_id = 'zoe' returning 1)
select is(count(*)::int, 0, 'and cannot delete a key that has not expired') from d;
reset role;

select pg_temp.act_as_nobody();
select is(onboardd_private.purge_idempotency_keys(4), 4, 'the job deletes at most max_rows');
select is(onboardd_private.purge_idempotency_keys(), 2, 'and the rest on its next run');
select is(onboardd_private.purge_idempotency_keys(), 0, 'then finds nothing');
reset role;
select results_eq($$select user_id, key from idempotency_keys
                    where user_id in ('alice', 'bob', 'zoe') order by 1, 2$$,
                  $$values ('zoe', 'k1')$$, 'only the key that has not expired is left');
select pg_temp.act_as('zoe', :'org_b');
select is((select count(*) from idempotency_keys), 1::bigint, 'which its user still sees');
select throws_ok($$delete from onboardd_private.analytics_deltas$$, '42501', null,
                 'the app has no privilege on onboardd_private tables');
select * from finish();
