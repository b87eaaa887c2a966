-- save_step() (0016): POST /step's five writes in one statement, as the app role. Assertions
-- are scoped to the fixture users and to rows of this transaction (other tests write to the
-- same database at the same time).

select plan(24);

\set new_mallory '00000000-0000-4000-8000-0000000095a1'
\set new_mallory2 '00000000-0000-4000-8000-0000000095a2'
\set new_bob '00000000-0000-4000-8000-0000000095b0'

select is((select prosecdef from pg_proc where oid = 'onboardd_private.save_step(uuid, text, integer, integer, integer, text, jsonb)'::regprocedure),
          false, 'save_step is SECURITY INVOKER: the app role''s policies apply');

-- A first save starts the session ---------------------------------------------------------------
-- (pgTAP runs some of these calls in subtransactions, so this file's audit rows are found by
-- their own request id rather than by xmin.)
select pg_temp.act_as('mallory');
select set_config('app.request_id', 'req-95-step-save', true);
select results_eq(format($$select saved_session::text, saved_version, saved_step, saved_percentage, session_created
                           from onboardd_private.save_step(%L, 'wizard', 4, 168, 1, 'welcome', '{"role": "ceo"}')$$,
                         :'new_mallory'),
                  format($$values (%L, 2, 2, 50, true)$$, :'new_mallory'),
                  'a first save creates the session (the id given), saves step 1, moves to step 2, 50 %');
select results_eq($$select flow, total_steps, form_data, completed_steps, expires_at > now() + interval '167 hours'
                    from onboarding_sessions where user_id = 'mallory'$$,
                  $$values ('wizard', 4, '{"welcome": {"role": "ceo"}}'::jsonb, '{1}'::int[], true)$$,
                  'with the flow, total, draft, steps done and expiry asked for');
select results_eq($$select step_number, step_name, data, is_completed, is_valid, completed_at is not null
                    from onboarding_progress where user_id = 'mallory'$$,
                  $$values (1, 'welcome', '{"role": "ceo"}'::jsonb, true, true, true)$$,
                  'and the step''s progress row, completed and valid');

-- Later saves -------------------------------------------------------------------------------------
select results_eq($$select saved_version, saved_step, saved_percentage, session_created
                    from onboardd_private.save_step(gen_random_uuid(), 'wizard', 4, 168, 2, 'company',
                                                    '{"name": "Acme", "industry": "technology", "size": "small"}')$$,
                  $$values (3, 3, 75, false)$$,
                  'a later save updates the same session (no new one): step 3, 75 %');
select results_eq($$select saved_version, saved_step, saved_percentage, session_created
                    from onboardd_private.save_step(gen_random_uuid(), 'wizard', 4, 168, 2, 'company',
                                                    '{"name": "Acme 2", "industry": "technology", "size": "small"}')$$,
                  $$values (4, 3, 75, false)$$,
                  'saving a step again does not move the session or lower its percentage');
select is((select count(*) from onboarding_sessions where user_id = 'mallory'), 1::bigint,
          'one session');
select results_eq($$select step_number, data ->> 'name' from onboarding_progress
                    where user_id = 'mallory' order by step_number$$,
                  $$values (1, null::text), (2, 'Acme 2')$$,
                  'one progress row per step, holding the last save');
select is((select form_data -> 'company' ->> 'name' from onboarding_sessions where user_id = 'mallory'),
          'Acme 2', 'the draft holds the last save of each step');

-- Inline images: the preview trigger, and the preview's path keeps the saved image -------------------
select lives_ok($$select onboardd_private.save_step(gen_random_uuid(), 'wizard', 4, 168, 2, 'company',
                    '{"name": "Acme", "logo": "data:image/png;base64,iVBORw0KGgo="}')$$,
                'a save with an inline logo');
select is((select form_preview -> 'company' ->> 'logo' from onboarding_sessions where user_id = 'mallory'),
          '/api/onboarding/draft/image/company/logo', 'stores the preview without the image');
select lives_ok($$select onboardd_private.save_step(gen_random_uuid(), 'wizard', 4, 168, 2, 'company',
                    '{"name": "Acme 3", "logo": "/api/onboarding/draft/image/company/logo"}')$$,
                'a save sending the preview''s path back');
select results_eq($$select s.form_data -> 'company' ->> 'logo', p.data ->> 'logo', p.data ->> 'name'
                    from onboarding_sessions s join onboarding_progress p on p.session_id = s.id
                    where s.user_id = 'mallory' and p.step_number = 2$$,
                  $$values ('data:image/png;base64,iVBORw0KGgo='::text, 'data:image/png;base64,iVBORw0KGgo='::text, 'Acme 3'::text)$$,
                  'keeps the saved image, in the draft and in the progress row');

-- A stale session is expired (audited) and a fresh one started -------------------------------------
reset role;
update onboarding_sessions set expires_at = now() - interval '1 minute' where user_id = 'mallory';
select pg_temp.act_as('mallory');
select set_config('app.request_id', 'req-95-step-save', true);
select results_eq(format($$select saved_session::text, saved_version, saved_step, session_created
                           from onboardd_private.save_step(%L, 'wizard', 4, 168, 1, 'welcome', '{"role": "manager"}')$$,
                         :'new_mallory2'),
                  format($$values (%L, 2, 2, true)$$, :'new_mallory2'),
                  'a save finding its session stale starts a new one');
reset role;
select results_eq($$select id::text, status from onboarding_sessions where user_id = 'mallory' order by created_at, status$$,
                  format($$values (%L, 'expired'), (%L, 'in_progress')$$, :'new_mallory', :'new_mallory2'),
                  'and marks the stale one expired');

-- The audit rows: the session's lifecycle in mallory's chain, each save in the step-save log (0019) --
select results_eq(format($$select action, entity_id, details, chain_key, organization_id::text, request_id
                           from audit_log where actor_id = 'mallory' and request_id = 'req-95-step-save'
                           order by chain_seq$$),
                  format($$values ('onboarding.session_started', %1$L, '{"flow": "wizard"}'::jsonb, 'user:mallory', null::text, 'req-95-step-save'),
                                  ('onboarding.session_expired', %1$L, '{"by": "request"}', 'user:mallory', null, 'req-95-step-save'),
                                  ('onboarding.session_started', %2$L, '{"flow": "wizard"}', 'user:mallory', null, 'req-95-step-save')$$,
                         :'new_mallory', :'new_mallory2'),
                  'a save that starts the session audits it (and the expiry of a stale one) in the user''s chain');
select results_eq($$select session_id::text, user_id, step, request_id, saved_at = now()
                    from onboarding_step_saves where user_id = 'mallory' order by saved_at, session_id, step$$,
                  format($$values (%1$L, 'mallory', 1, 'req-95-step-save', true),
                                  (%1$L, 'mallory', 2, 'req-95-step-save', true),
                                  (%1$L, 'mallory', 2, 'req-95-step-save', true),
                                  (%1$L, 'mallory', 2, 'req-95-step-save', true),
                                  (%1$L, 'mallory', 2, 'req-95-step-save', true),
                                  (%2$L, 'mallory', 1, 'req-95-step-save', true)$$,
                         :'new_mallory', :'new_mallory2'),
                  'and every save writes one row of the step-save log: session, user, step, request, time');
set local role onboardd_owner;
select results_eq($$select row_count, first_bad_seq, problem from onboardd_private.audit_verify_chains('user:mallory')$$,
                  $$values (3::bigint, null::bigint, null::text)$$,
                  'mallory''s chain verifies');
reset role;

-- Only the caller's own rows ------------------------------------------------------------------------
select pg_temp.act_as('bob', :'org_a');
select set_config('app.request_id', 'req-95-step-save', true);
select results_eq(format($$select saved_session::text, session_created
                           from onboardd_private.save_step(%L, 'default', 4, 168, 1, 'welcome', '{"role": "ceo"}')$$,
                         :'new_bob'),
                  format($$values (%L, false)$$, :'sess_bob'),
                  'bob''s save writes his existing session');
reset role;
select is((select form_data from onboarding_sessions where id = :'sess_zoe'), '{}'::jsonb,
          'zoe''s session is untouched');
select is((select count(*) from onboarding_progress where user_id = 'zoe'), 1::bigint,
          'and so are her progress rows');
select results_eq($$select session_id::text, user_id, step from onboarding_step_saves
                    where request_id = 'req-95-step-save' and user_id <> 'mallory'$$,
                  format($$values (%L, 'bob', 1)$$, :'sess_bob'),
                  'bob''s save is logged as bob''s, in his session');
select is((select count(*) from audit_log where actor_id = 'bob' and request_id = 'req-95-step-save'),
          0::bigint, 'and in no chain (a draft belongs to no organization)');

-- Without identity nothing is written --------------------------------------------------------------
select pg_temp.act_as_nobody();
select throws_ok($$select onboardd_private.save_step(gen_random_uuid(), 'wizard', 4, 168, 1, 'welcome', '{"role": "ceo"}')$$,
                 '42501', null, 'no identity: the insert policy refuses the session');
reset role;
