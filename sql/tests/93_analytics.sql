-- Funnel analytics: onboarding_analytics() answers an organization's admins (and the
-- operator, app.ops) and nobody else; the owner's new policies open rows only within a
-- report's scope; the rollup (triggers → deltas → compact_analytics) always equals the live
-- count; the app touches none of it directly.

select plan(32);

-- Policies: one per command, to the owner only ------------------------------------------------
select results_eq($$select (tablename::text collate "default") || ' ' || cmd from pg_policies
                    where schemaname = 'onboardd_private'
                      and tablename in ('funnel_daily', 'industry_daily', 'ai_decisions_daily',
                                        'analytics_deltas')
                    order by 1$$,
                  array['ai_decisions_daily DELETE', 'ai_decisions_daily INSERT',
                        'ai_decisions_daily SELECT', 'ai_decisions_daily UPDATE',
                        'analytics_deltas DELETE', 'analytics_deltas INSERT', 'analytics_deltas SELECT',
                        'funnel_daily DELETE', 'funnel_daily INSERT', 'funnel_daily SELECT',
                        'funnel_daily UPDATE', 'industry_daily DELETE', 'industry_daily INSERT',
                        'industry_daily SELECT', 'industry_daily UPDATE'],
                  'the rollup tables have a policy per command (deltas are never updated)');
select is_empty($$select policyname from pg_policies
                  where (policyname like '%analytics%' or tablename in
                         ('funnel_daily', 'industry_daily', 'ai_decisions_daily', 'analytics_deltas'))
                    and roles <> array['onboardd_owner']::name[]$$,
                'every analytics policy is the owner''s alone');
select results_eq($$select (tablename::text collate "default") || ' ' || cmd from pg_policies
                    where policyname like '%select_analytics_owner' order by 1$$,
                  array['ai_interactions SELECT', 'ai_suggestions SELECT', 'onboarding_sessions SELECT',
                        'organization_members SELECT'],
                  'the report''s view of user data is SELECT only');
select ok((select bool_and(c.relrowsecurity and c.relforcerowsecurity) from pg_class c
           where c.oid in ('onboardd_private.funnel_daily'::regclass, 'onboardd_private.industry_daily'::regclass,
                           'onboardd_private.ai_decisions_daily'::regclass,
                           'onboardd_private.analytics_deltas'::regclass)),
          'row security is enabled and forced on the rollup tables');
select ok(not (select rolbypassrls or rolsuper from pg_roles where rolname = 'onboardd_app')
          and not pg_has_role('onboardd_app', 'onboardd_owner', 'MEMBER'),
          'the app role is not the owner and has no BYPASSRLS');

-- Who gets a report ----------------------------------------------------------------------------
select pg_temp.act_as('adam', :'org_a');
select isnt(onboardd_private.onboarding_analytics(:'org_a', current_date - 30, current_date), null,
            'an admin gets his organization''s report');
select pg_temp.act_as('alice', :'org_a');
select isnt(onboardd_private.onboarding_analytics(:'org_a', current_date - 30, current_date), null,
            'and so does its owner');
select pg_temp.act_as('bob', :'org_a');
select is(onboardd_private.onboarding_analytics(:'org_a', current_date - 30, current_date), null,
          'a member who is not admin gets nothing');
select pg_temp.act_as('zoe', :'org_b');
select is(onboardd_private.onboarding_analytics(:'org_a', current_date - 30, current_date), null,
          'nor does another organization''s owner');
select is(onboardd_private.onboarding_analytics(null, current_date - 30, current_date), null,
          'nor anyone asking for every organization');
select pg_temp.act_as('mallory');
select is(onboardd_private.onboarding_analytics(:'org_a', current_date - 30, current_date), null,
          'nor a stranger');
select pg_temp.act_as_nobody();
select set_config('app.ops', 'on', true);
select isnt(onboardd_private.onboarding_analytics(null, current_date - 30, current_date), null,
            'the operator gets every organization''s');
select isnt(onboardd_private.onboarding_analytics(:'org_b', current_date - 30, current_date), null,
            'and any one organization''s');
select is(onboardd_private.onboarding_analytics(gen_random_uuid(), current_date - 30, current_date),
          null, 'but not one that does not exist');
select throws_ok($$select onboardd_private.onboarding_analytics(null, current_date, current_date - 1)$$,
                 '22023', null, 'a range that ends before it starts is refused');
select throws_ok($$select onboardd_private.onboarding_analytics(null, current_date - 400, current_date)$$,
                 '22023', null, 'and one longer than 366 days');
select set_config('app.analytics_scope', 'before', true);
select onboardd_private.onboarding_analytics(null, current_date - 30, current_date);
select is(current_setting('app.analytics_scope'), 'before',
          'the report puts the caller''s app.analytics_scope back');

-- The numbers: org A = alice's session (completed into A) + bob's (member, no organization) ----
select pg_temp.act_as('adam', :'org_a');
select results_eq(format($$select r ->> 'sessionsStarted', r ->> 'sessionsCompleted', r ->> 'completionRate',
                                  r -> 'topIndustries' ->> 0, r -> 'ai' ->> 'suggestions', r -> 'ai' ->> 'decided'
                           from onboardd_private.onboarding_analytics(%L, current_date - 30, current_date) r$$,
                         :'org_a'),
                  $$values ('2', '1', '0.5000', '{"industry": "technology", "organizations": 1}', '1', '0')$$,
                  'org A: two sessions started, one completed, its industry, bob''s undecided suggestion');
select results_eq(format($$select s ->> 'step', s ->> 'reached', s ->> 'inProgress', s ->> 'dropped'
                           from jsonb_array_elements(onboardd_private.onboarding_analytics(%L, current_date - 30,
                                                                                          current_date) -> 'steps') s$$,
                         :'org_a'),
                  $$values ('1', '2', '1', '0')$$, 'per step: both reached step 1, bob is on it');
select pg_temp.act_as('zoe', :'org_b');
select is((select (r ->> 'sessionsStarted') from
             onboardd_private.onboarding_analytics(:'org_b', current_date - 30, current_date) r), '1',
          'B''s owner sees B: her own session only');
-- A finished session with a measured duration: the median reads its bucket (5 % wide).
reset role;
insert into onboarding_sessions (user_id, status, current_step, created_at, completed_at, organization_id)
values ('adam', 'completed', 4, now() - interval '1000 seconds', now(), :'org_a');
select pg_temp.act_as('adam', :'org_a');
select ok((select (r ->> 'medianSecondsToComplete')::numeric between 975 and 1025
           from onboardd_private.onboarding_analytics(:'org_a', current_date - 30, current_date) r),
          'the median time to complete is within 2.5 % of the real one');

-- The owner outside a report ------------------------------------------------------------------
reset role;
set local role onboardd_owner;
select is((select count(*) from onboarding_sessions
            where status <> 'expired' and not (status = 'in_progress' and expires_at <= now())),
          0::bigint,
          'outside a report the owner sees no live session (only 0008''s stale ones)');
select is((select count(*) from organization_members where user_id <> coalesce(onboardd_private.current_user_id(), '')),
          0::bigint, 'nor other users'' memberships');
reset role;

-- The rollup equals the live count, before and after compaction --------------------------------
insert into onboarding_sessions (user_id, flow, status, current_step, created_at)
values ('rollup-1', 'legacy', 'abandoned', 3, now() - interval '2 days'),
       ('rollup-2', 'legacy', 'in_progress', 2, now() - interval '1 day');
update onboarding_sessions set status = 'expired', current_step = 2 where user_id = 'rollup-1';
update onboarding_sessions set status = 'completed', current_step = 5 where user_id = 'rollup-2';
delete from onboarding_sessions where id = :'sess_zoe';
update organizations set industry = 'retail' where id = :'org_b';
update ai_suggestions set decision = 'accepted', decided_at = now() where id = :'sugg_zoe';
select ok((select count(*) from onboardd_private.analytics_deltas) > 0, 'writes appended deltas');
select set_config('app.analytics_scope', 'all', true);
select set_eq($$select * from onboardd_private.funnel_rows_rollup(current_date - 366, current_date)$$,
              $$select * from onboardd_private.funnel_rows_live(null, current_date - 366, current_date)$$,
              'the rollup (with its deltas) equals the live funnel');
select set_eq($$select * from onboardd_private.funnel_rows_rollup(current_date - 1, current_date - 1)$$,
              $$select * from onboardd_private.funnel_rows_live(null, current_date - 1, current_date - 1)$$,
              'and so for one day');
-- Other tests of a parallel run commit deltas of their own meanwhile: count only those that
-- existed before the compaction.
select max(id) as deltas_before from onboardd_private.analytics_deltas \gset
select pg_temp.act_as_nobody();
select ok(onboardd_private.compact_analytics() > 0, 'the app''s job folds the deltas');
reset role;
select is((select count(*) from onboardd_private.analytics_deltas where id <= :deltas_before),
          0::bigint, 'leaving none');
select set_config('app.analytics_scope', 'all', true);
select set_eq($$select * from onboardd_private.funnel_rows_rollup(current_date - 366, current_date)$$,
              $$select * from onboardd_private.funnel_rows_live(null, current_date - 366, current_date)$$,
              'the folded rollup still equals the live funnel');
select set_eq($$select industry, organizations from onboardd_private.industry_rows(null, current_date - 366, current_date)$$,
              $$select industry, count(*) from organizations where created_at >= current_date - 366 group by 1$$,
              'industries: the rollup equals the organizations');
select set_eq($$select decision, suggestions from onboardd_private.decision_rows(null, current_date - 366, current_date)$$,
              $$select coalesce(decision, 'undecided'), count(*) from ai_suggestions
                where created_at >= current_date - 366 group by 1$$,
              'AI decisions: the rollup equals the suggestions');
select set_config('app.analytics_scope', '', true);

-- The app touches none of it directly ----------------------------------------------------------
select pg_temp.act_as('adam', :'org_a');
select throws_ok($$select * from onboardd_private.funnel_daily$$, '42501', null,
                 'the app cannot read the rollup');
select * from finish();
