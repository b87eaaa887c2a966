-- Seeds a migrated onboardd database with :sessions onboarding sessions (default 1,000,000)
-- spread over the last 365 days, for bench/analytics-bench. Run as the superuser, into a
-- database of its own (never the one tests use): rows are written with triggers off
-- (session_replication_role = replica, so columns triggers would set are set here) and the
-- analytics rollup is rebuilt from them at the end.
--
-- The shape, per session g (deterministic: hashint4 of g):
--   * 45 % completed, each into an organization of its own (16 industries), in 1 min .. 7 days;
--   * the rest abandoned or expired on a random step, except those of the last 7 days, 40 %
--     of which are still in progress (sessions older than the TTL have been expired);
--   * 10 % follow the 5-step legacy flow, the rest the 4-step wizard;
--   * organization 1 has 5,000 members more, each with a session of its own (the largest
--     organization-scoped report);
--   * one AI interaction per 5 sessions with two suggestions each: 50 % accepted, 15 %
--     modified, 20 % declined, 15 % undecided.

\if :{?sessions}
\else
  \set sessions 1000000
\endif

set session_replication_role = replica;
set synchronous_commit = off;

create temporary table seed as
select g,
       'bench-u' || g as user_id,
       md5('bench-s' || g)::uuid as session_id,
       md5('bench-o' || g)::uuid as org_id,
       (hashint4(g * 13) & 2147483647) % 100 as r,
       case when g % 10 = 0 then 'legacy' else 'wizard' end as flow,
       case when g % 10 = 0 then 5 else 4 end as total,
       now() - ((hashint4(g * 7) & 2147483647) % 31536000) * interval '1 second' as created
from generate_series(1, :sessions) g;

-- Completed sessions: g with r < 45.
insert into public.organizations (id, name, slug, industry, size, created_by, created_xact,
                                  created_at, updated_at)
select s.org_id, 'Bench Org ' || s.g, 'bench-org-' || s.g,
       (array['technology', 'finance', 'healthcare', 'education', 'retail', 'manufacturing',
              'consulting', 'marketing', 'real_estate', 'food_beverage', 'transportation',
              'energy', 'media', 'nonprofit', 'government',
              'other'])[1 + (hashint4(s.g * 5) & 15)],
       'small', s.user_id, pg_current_xact_id(), s.created, s.created
from seed s where s.r < 45;
insert into public.organization_members (organization_id, user_id, role)
select s.org_id, s.user_id, 'owner' from seed s where s.r < 45;

insert into public.onboarding_sessions (id, user_id, flow, status, current_step, total_steps,
  completed_steps, completion_percentage, organization_id, created_at, updated_at,
  completed_at, expires_at, form_data)
select s.session_id, s.user_id, s.flow,
       case when s.r < 45 then 'completed'
            when s.created > now() - interval '7 days' and s.r >= 60 then 'in_progress'
            when s.r < 70 then 'abandoned'
            else 'expired' end,
       case when s.r < 45 then s.total else 1 + (s.r % s.total) end,
       s.total,
       case when s.r < 45 then array(select generate_series(1, s.total))
            else array(select generate_series(1, s.r % s.total)) end,
       case when s.r < 45 then 100 else 25 * (s.r % s.total) end,
       case when s.r < 45 then s.org_id end,
       s.created, s.created,
       case when s.r < 45
            then s.created + 60 * exp(((hashint4(s.g * 3) & 2147483647) % 1000) / 1000.0
                                      * ln(10080)) * interval '1 second' end,
       s.created + interval '7 days', '{}'
from seed s;

-- Organization 1's extra members (sessions of their own, in no organization yet).
insert into public.organization_members (organization_id, user_id, role)
select md5('bench-o' || (select min(g) from seed where r < 45))::uuid, 'bench-m' || m, 'member'
from generate_series(1, 5000) m;
insert into public.onboarding_sessions (user_id, flow, status, current_step, total_steps,
  created_at, updated_at, expires_at)
select 'bench-m' || m, 'wizard', case when m % 3 = 0 then 'abandoned' else 'expired' end,
       1 + m % 4, 4, now() - (m % 300) * interval '1 day', now() - (m % 300) * interval '1 day',
       now() - (m % 300) * interval '1 day' + interval '7 days'
from generate_series(1, 5000) m;

insert into public.ai_interactions (id, user_id, organization_id, session_id, feature, provider,
                                    input_hash, outcome, created_at)
select md5('bench-ai' || s.g)::uuid, s.user_id, case when s.r < 45 then s.org_id end,
       s.session_id, 'suggest', 'rules', md5(s.g::text), 'success', s.created
from seed s where s.g % 5 = 0;
insert into public.ai_suggestions (interaction_id, user_id, field, suggested_value, decision,
                                   decided_at, created_at, updated_at)
select md5('bench-ai' || s.g)::uuid, s.user_id, f.field, '"technology"',
       d.decision, case when d.decision is not null then s.created end, s.created, s.created
from seed s
cross join (values ('company.industry'), ('company.size')) as f(field)
cross join lateral (select case when x < 50 then 'accepted' when x < 65 then 'modified'
                                when x < 85 then 'declined' end as decision
                    from (select (hashint4(s.g * 17 + length(f.field)) & 2147483647) % 100 as x) h) d
where s.g % 5 = 0;

reset session_replication_role;
select onboardd_private.rebuild_analytics();
vacuum analyze;
select count(*) as sessions from public.onboarding_sessions;
