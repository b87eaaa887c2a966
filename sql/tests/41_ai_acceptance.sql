-- ai_acceptance_by_feature (0015): the acceptance rate per feature, through the caller's RLS.

select plan(11);

-- Bob: the fixture's one suggestion (suggest, undecided) plus three more under a validate
-- interaction: accepted, modified, declined; and one more suggest suggestion, accepted.
select pg_temp.act_as('bob', :'org_a');
insert into ai_interactions (id, user_id, feature, provider, input_hash, outcome)
  values ('00000000-0000-4000-8000-000000000ab1', 'bob', 'validate', 'rules', 'h4', 'success');
insert into ai_suggestions (interaction_id, user_id, field, suggested_value, decision, final_value, decided_at) values
  ('00000000-0000-4000-8000-000000000ab1', 'bob', 'company.company_name', '"Acme"', 'accepted', '"Acme"', now()),
  ('00000000-0000-4000-8000-000000000ab1', 'bob', 'company.website', '"https://a.io"', 'modified', '"https://acme.io"', now()),
  ('00000000-0000-4000-8000-000000000ab1', 'bob', 'company.advice', '"x"', 'declined', null, now());
insert into ai_suggestions (interaction_id, user_id, field, suggested_value, decision, final_value, decided_at)
  values (:'ai_bob', 'bob', 'company.industry', '"finance"', 'accepted', '"finance"', now());

select results_eq($$select feature, suggestions, decided, accepted, modified, declined
                      from ai_acceptance_by_feature order by feature$$,
                  $$values ('suggest'::text, 2, 1, 1, 0, 0), ('validate'::text, 3, 3, 1, 1, 1)$$,
                  'counts per feature, of the caller''s suggestions only');
select is((select acceptance_rate from ai_acceptance_by_feature where feature = 'validate'),
          0.3333::numeric, 'acceptance rate = accepted / decided');
select is((select adoption_rate from ai_acceptance_by_feature where feature = 'validate'),
          0.6667::numeric, 'adoption rate counts modified suggestions too');
select is((select acceptance_rate from ai_acceptance_by_feature where feature = 'suggest'),
          1.0000::numeric, 'the undecided suggestion does not lower the rate');

update ai_suggestions set decision = 'declined', decided_at = now() where id = :'sugg_bob';
select is((select acceptance_rate from ai_acceptance_by_feature where feature = 'suggest'),
          0.5000::numeric, 'a new decision moves the rate');

-- Zoe's suggestion is invisible to bob, and bob's to zoe and alice.
select is((select sum(suggestions)::int from ai_acceptance_by_feature), 5,
          'bob counts his five suggestions, not zoe''s');
select pg_temp.act_as('zoe', :'org_b');
select results_eq($$select feature, suggestions, decided from ai_acceptance_by_feature$$,
                  $$values ('suggest'::text, 1, 0)$$, 'zoe sees only hers');
select is((select acceptance_rate from ai_acceptance_by_feature), null::numeric,
          'no decision yet: no rate (not zero)');
select pg_temp.act_as('alice', :'org_a');
select is((select count(*) from ai_acceptance_by_feature), 0::bigint,
          'an org owner does not see her members'' rates through it');
select pg_temp.act_as_nobody();
select is((select count(*) from ai_acceptance_by_feature), 0::bigint, 'nobody sees nothing');

-- The view is security_invoker (never a way around RLS) and the app may read it.
select is((select reloptions from pg_class where oid = 'public.ai_acceptance_by_feature'::regclass),
          array['security_invoker=true'], 'the view runs with the caller''s rights');
select * from finish();
