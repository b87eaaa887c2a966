-- Session expiry writes its audit rows in the same transaction (expire_stale_sessions as the
-- owner; a request expiring its caller's own session as the app), and the owner may append
-- no other audit row. audit_verify_chains() names the first broken link of each chain.

select plan(19);

-- The job -----------------------------------------------------------------------------------
-- Other tests share this database: their stale sessions stay out of this transaction's job.
update onboarding_sessions set expires_at = now() + interval '1 hour'
 where status = 'in_progress' and expires_at <= now() and user_id not in ('alice', 'bob', 'zoe');
update onboarding_sessions set expires_at = now() - interval '1 minute' where id = :'sess_bob';
select pg_temp.act_as_nobody();
select set_config('app.request_id', 'expire-stale-sessions', true);
select ok(onboardd_private.expire_stale_sessions() >= 1, 'the job marks bob''s stale session');
reset role;
select is((select count(*) from audit_log where action = 'onboarding.session_expired'
             and entity_id = :'sess_bob'), 1::bigint,
          'and writes one audit row for it in the same transaction');
select results_eq(format($$select actor_id, chain_key, organization_id::text, details ->> 'by', request_id
                           from audit_log where entity_id = %L$$, :'sess_bob'),
                  $$values ('bob', 'user:bob', null::text, 'expire_stale_sessions', 'expire-stale-sessions')$$,
                  'in bob''s own chain, naming the job and the job''s request id');
select pg_temp.act_as_nobody();
select is(onboardd_private.expire_stale_sessions(), 0, 'a second run finds nothing');
reset role;
select is((select count(*) from audit_log where action = 'onboarding.session_expired'
             and xmin = pg_current_xact_id()::xid), 1::bigint,
          'and writes nothing');

-- What the owner may append -------------------------------------------------------------------
set local role onboardd_owner;
select lives_ok(format($$insert into audit_log (actor_id, action, entity_type, entity_id, details)
                         values ('bob', 'onboarding.session_expired', 'onboarding_session', %L, '{}')$$,
                       :'sess_bob'),
                'the owner may record the expiry of an expired session');
select throws_ok(format($$insert into audit_log (actor_id, action, entity_type, entity_id)
                          values ('zoe', 'onboarding.session_expired', 'onboarding_session', %L)$$,
                        :'sess_zoe'),
                 '42501', null, 'not of a session that is not expired');
select throws_ok(format($$insert into audit_log (actor_id, action, entity_type, entity_id)
                          values ('zoe', 'onboarding.session_expired', 'onboarding_session', %L)$$,
                        :'sess_bob'),
                 '42501', null, 'nor in the name of someone else than the session''s user');
select throws_ok($$insert into audit_log (actor_id, action, entity_type, entity_id)
                   values ('bob', 'organization.update', 'organization', 'x')$$,
                 '42501', null, 'nor any other action');
select throws_ok(format($$insert into audit_log (organization_id, actor_id, action, entity_type, entity_id)
                          values (%L, 'bob', 'onboarding.session_expired', 'onboarding_session', %L)$$,
                        :'org_a', :'sess_bob'),
                 '42501', null, 'nor into an organization''s chain');
select throws_ok($$insert into audit_log (actor_id, action, entity_type, entity_id)
                   values ('bob', 'onboarding.session_expired', 'onboarding_session', 'not-a-uuid')$$,
                 '42501', null, 'a malformed entity id is refused, not an error');
reset role;

-- The app expiring its caller's own session (store_support.hpp kExpireStale) -------------------
update onboarding_sessions set expires_at = now() - interval '1 minute' where id = :'sess_zoe';
select pg_temp.act_as('zoe', :'org_b');
with u as (update onboarding_sessions set status = 'expired'
           where user_id = onboardd_private.current_user_id() and status = 'in_progress'
             and expires_at <= now() returning id, user_id)
insert into audit_log (actor_id, action, entity_type, entity_id, details)
select u.user_id, 'onboarding.session_expired', 'onboarding_session', u.id::text,
       '{"by": "request"}' from u;
reset role;
select is((select details ->> 'by' from audit_log where entity_id = :'sess_zoe'), 'request',
          'a request expires its caller''s session and audits it through the app''s own policy');

-- audit_verify_chains -----------------------------------------------------------------------
set local role onboardd_owner;
select is((select count(*) from onboardd_private.audit_verify_chains() where problem is not null),
          0::bigint, 'every chain verifies');
select results_eq(format($$select row_count, first_bad_seq, problem
                           from onboardd_private.audit_verify_chains('org:%s')$$, :'org_a'),
                  $$values (2::bigint, null::bigint, null::text)$$,
                  'one chain by name: its rows, no break');
reset role;
set local session_replication_role = replica;  -- tamper behind the triggers' back
update audit_log set details = '{"forged": true}' where organization_id = :'org_a' and chain_seq = 2;
update audit_log set prev_hash = 'f00d' where organization_id = :'org_b' and chain_seq = 1;
set local session_replication_role = origin;
set local role onboardd_owner;
select results_eq(format($$select first_bad_seq, problem,
                                  first_bad_id = (select id from audit_log where organization_id = %L and chain_seq = 2)
                           from onboardd_private.audit_verify_chains('org:%s')$$, :'org_a', :'org_a'),
                  $$values (2::bigint, 'hash'::text, true)$$,
                  'a changed row is named with its id: its hash does not recompute');
select results_eq(format($$select first_bad_seq, problem from onboardd_private.audit_verify_chains('org:%s')$$,
                         :'org_b'),
                  $$values (1::bigint, 'prev_hash'::text)$$, 'a broken link is named');
reset role;
set local session_replication_role = replica;
delete from audit_log where chain_key = 'user:bob'
  and chain_seq = (select max(chain_seq) from audit_log where chain_key = 'user:bob');
set local session_replication_role = origin;
set local role onboardd_owner;
select results_eq($$select first_bad_seq = row_count + 1, problem
                    from onboardd_private.audit_verify_chains('user:bob')$$,
                  $$values (true, 'missing_tail'::text)$$,
                  'a row deleted at the end is found through the chain''s head');
select is((select count(*) from onboardd_private.audit_verify_chains() where problem is not null),
          3::bigint, 'the whole log shows the three broken chains');
reset role;
select pg_temp.act_as('adam', :'org_a');
select throws_ok($$select * from onboardd_private.audit_verify_chains()$$, '42501', null,
                 'the app role may not run audit_verify_chains');
select * from finish();
