-- ai_interactions (append-only for the app), ai_suggestions (decided once) and
-- ai_preferences: the user's own rows only.

select plan(28);

-- ai_interactions ---------------------------------------------------------------------------
select pg_temp.act_as('bob', :'org_a');
select results_eq($$select id from ai_interactions$$, array[:'ai_bob'::uuid], 'a user sees only his AI interactions');
select pg_temp.act_as('alice', :'org_a');
select is((select count(*) from ai_interactions), 0::bigint, 'not even his org owner sees them');
select pg_temp.act_as('bob', :'org_a');
select lives_ok(format($$insert into ai_interactions (user_id, organization_id, session_id, feature, provider, input_hash, outcome, tokens_in, cost_usd)
                         values ('bob', %L, %L, 'validate', 'openai', 'h3', 'success', 120, 0.0012)$$, :'org_a', :'sess_bob'),
                'a user records an interaction in his organization and session');
select throws_ok($$insert into ai_interactions (user_id, feature, provider, input_hash, outcome)
                   values ('zoe', 'suggest', 'rules', 'h', 'success')$$,
                 '42501', null, 'not in another user''s name');
select throws_ok(format($$insert into ai_interactions (user_id, organization_id, feature, provider, input_hash, outcome)
                          values ('bob', %L, 'suggest', 'rules', 'h', 'success')$$, :'org_b'),
                 '42501', null, 'not against another organization');
select throws_ok(format($$insert into ai_interactions (user_id, session_id, feature, provider, input_hash, outcome)
                          values ('bob', %L, 'suggest', 'rules', 'h', 'success')$$, :'sess_zoe'),
                 '23503', null, 'not under another user''s session');
select throws_ok($$insert into ai_interactions (user_id, feature, provider, input_hash, outcome, tokens_in)
                   values ('bob', 'suggest', 'rules', 'h', 'success', -1)$$,
                 '23514', null, 'token counts are not negative');
select throws_ok($$update ai_interactions set cost_usd = 0$$, '42501', null, 'interactions cannot be updated');
select throws_ok($$delete from ai_interactions$$, '42501', null, 'nor deleted');

-- ai_suggestions ----------------------------------------------------------------------------
select results_eq($$select id from ai_suggestions$$, array[:'sugg_bob'::uuid], 'a user sees only his suggestions');
select lives_ok(format($$insert into ai_suggestions (interaction_id, user_id, field, suggested_value)
                         values (%L, 'bob', 'company.size', '"startup"')$$, :'ai_bob'),
                'a user stores a suggestion of his interaction');
select throws_ok(format($$insert into ai_suggestions (interaction_id, user_id, field, suggested_value)
                          values (%L, 'bob', 'company.size', '"startup"')$$, :'ai_zoe'),
                 '23503', null, 'not under another user''s interaction');
select throws_ok(format($$insert into ai_suggestions (interaction_id, user_id, field, suggested_value)
                          values (%L, 'zoe', 'company.size', '"startup"')$$, :'ai_zoe'),
                 '42501', null, 'nor in another user''s name');
with u as (update ai_suggestions set decision = 'accepted', decided_at = now() where id = :'sugg_bob' returning 1)
select is(count(*)::int, 1, 'a user records his decision') from u;
select throws_ok($$update ai_suggestions set decision = 'declined' where field = 'company.size'$$,
                 '23514', null, 'a decision comes with its time');
select throws_ok(format($$update ai_suggestions set suggested_value = '"x"' where id = %L$$, :'sugg_bob'),
                 '42501', null, 'the suggested value itself cannot be rewritten');
with u as (update ai_suggestions set decision = 'accepted', decided_at = now() where id = :'sugg_zoe' returning 1)
select is(count(*)::int, 0, 'nor can another user''s decision be recorded') from u;
with d as (delete from ai_suggestions where id = :'sugg_zoe' returning 1)
select is(count(*)::int, 0, 'nor another user''s suggestion deleted') from d;
with d as (delete from ai_suggestions where id = :'sugg_bob' returning 1)
select is(count(*)::int, 1, 'a user deletes his own') from d;

-- ai_preferences ----------------------------------------------------------------------------
select results_eq($$select user_id from ai_preferences$$, array['bob'], 'a user sees only his preferences');
with u as (insert into ai_preferences (user_id, enabled, assistance_level) values ('bob', false, 'minimal')
           on conflict (user_id) do update set enabled = excluded.enabled, assistance_level = excluded.assistance_level
           returning enabled)
select is(bool_or(enabled), false, 'a user upserts his preferences') from u;
select throws_ok($$insert into ai_preferences (user_id) values ('mallory')$$, '42501', null,
                 'not someone else''s');
select throws_ok($$update ai_preferences set assistance_level = 'maximal' where user_id = 'bob'$$, '23514', null,
                 'assistance level is minimal, moderate or extensive');
with u as (update ai_preferences set enabled = true where user_id = 'zoe' returning 1)
select is(count(*)::int, 0, 'another user''s preferences cannot be changed') from u;
with d as (delete from ai_preferences where user_id = 'zoe' returning 1)
select is(count(*)::int, 0, 'nor deleted') from d;
with d as (delete from ai_preferences returning user_id)
select results_eq($$select 'bob'::text$$, array_agg(user_id), 'a user deletes (only) his own preferences') from d;
select pg_temp.act_as('mallory');
select is((select count(*) from ai_preferences), 0::bigint, 'a new user has none');
select lives_ok($$insert into ai_preferences (user_id) values ('mallory')$$, 'and creates her own');
select * from finish();
