-- audit_log: insert-only for the app (actor = caller, organization = one of hers), readable
-- by org admins for their organization, immutable for everyone, and a per-org hash chain
-- that links and verifies.

select plan(23);

select pg_temp.act_as('bob', :'org_a');
select is((select count(*) from audit_log), 0::bigint, 'a plain member cannot read the audit log');
select lives_ok(format($$insert into audit_log (organization_id, actor_id, action, entity_type, entity_id, details)
                         values (%L, 'bob', 'profile.update', 'profile', 'bob', '{"field": "full_name"}')$$, :'org_a'),
                'a member writes an audit row for his organization');
select lives_ok($$insert into audit_log (actor_id, action, entity_type) values ('bob', 'step.save', 'onboarding_session')$$,
                'and one without organization (his own draft)');
select throws_ok(format($$insert into audit_log (organization_id, actor_id, action, entity_type)
                          values (%L, 'bob', 'organization.update', 'organization')$$, :'org_b'),
                 '42501', null, 'but not into another organization''s log');
select throws_ok(format($$insert into audit_log (organization_id, actor_id, action, entity_type)
                          values (%L, 'alice', 'organization.update', 'organization')$$, :'org_a'),
                 '42501', null, 'nor in another actor''s name');
select throws_ok($$update audit_log set action = 'x.y'$$, '42501', null, 'the app cannot update audit rows');
select throws_ok($$delete from audit_log$$, '42501', null, 'nor delete them');
select throws_ok($$truncate audit_log$$, '42501', null, 'nor truncate the log');

select pg_temp.act_as('adam', :'org_a');
select is((select count(*) from audit_log where organization_id = :'org_a'), 3::bigint,
          'an org admin reads his organization''s log');
select is((select count(*) from audit_log where organization_id is distinct from :'org_a'), 0::bigint,
          'and nothing else (no other organization, no personal rows)');
select is((select request_id from audit_log where action = 'profile.update'), 'req-pgtap',
          'the request id is taken from app.request_id');
select pg_temp.act_as('zoe', :'org_b');
select results_eq($$select action from audit_log$$, array['organization.create'],
                  'the other tenant reads only her own log');

-- Immutable even for the owner role and the superuser -----------------------------------------
reset role;
select throws_ok($$update audit_log set action = 'x.y'$$, '42501', null, 'no role may update audit rows');
select throws_ok($$delete from audit_log$$, '42501', null, 'nor delete them');

-- The chain ---------------------------------------------------------------------------------
select results_eq(format($$select chain_seq from audit_log where organization_id = %L order by chain_seq$$, :'org_a'),
                  array[1::bigint, 2, 3], 'an organization''s rows are numbered 1, 2, 3');
select is((select count(*) from audit_log a join audit_log p
             on p.chain_key = a.chain_key and p.chain_seq = a.chain_seq - 1
           where a.organization_id = :'org_a' and a.prev_hash = p.hash), 2::bigint,
          'each row''s prev_hash is the previous row''s hash');
select is((select prev_hash from audit_log where organization_id = :'org_a' and chain_seq = 1), null,
          'the first row has no predecessor');
select is((select count(*) from audit_log where hash = onboardd_private.audit_row_hash(audit_log)),
          (select count(*) from audit_log), 'every row''s hash recomputes');
select is((select chain_seq from audit_log where organization_id = :'org_b'), 1::bigint,
          'organizations have separate chains');
select is((select chain_key from audit_log where action = 'step.save'), 'user:bob',
          'rows without organization chain per actor');
set local role onboardd_owner;
select is((select count(*) from onboardd_private.audit_verify() where first_bad_seq is not null), 0::bigint,
          'audit_verify finds every chain intact');
reset role;
-- Tamper with a row behind the triggers' back and verify catches it. Not with ALTER TABLE
-- ... DISABLE TRIGGER: its lock on audit_log lasts until this file's transaction ends, and
-- blocked every audit insert of the tests running alongside (their step saves answered 503
-- at their deadline). A replica session skips ordinary triggers without locking the table.
set local session_replication_role = replica;
update audit_log set details = '{"forged": true}' where organization_id = :'org_a' and chain_seq = 2;
set local session_replication_role = origin;
set local role onboardd_owner;
select results_eq(format($$select first_bad_seq from onboardd_private.audit_verify() where chain_key = 'org:%s'$$, :'org_a'),
                  array[2::bigint], 'audit_verify names the first forged row');
reset role;
select pg_temp.act_as('adam', :'org_a');
select throws_ok($$select * from onboardd_private.audit_verify()$$, '42501', null,
                 'the app role may not run audit_verify');
select * from finish();
