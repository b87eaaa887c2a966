-- 0017 creator rows: the transaction that creates an organization writes its rows without
-- asking the membership helpers.
--
-- POST /complete (and POST /organization) creates an organization and, in the same
-- transaction, its owner membership, departments, roles, logo, profile, completed session and
-- audit rows. Every one of those statements paid a SECURITY DEFINER membership helper
-- (member_org_ids() or admin_org_ids(): a function call, its own snapshot and a query on
-- organization_members) in its policy, and so did every statement that joins
-- public.organizations, whose select policy asked member_org_ids() first: 15 helper calls per
-- completion (counted with track_functions through POST /complete), to learn what the
-- transaction itself had just written.
--
-- The organizations table already knows its creator's transaction: created_by and
-- created_xact (stamped by a trigger, 0002). The policies below test that first:
--   - organizations_select_app: the creator arm (created by the caller in this transaction)
--     comes before the membership arm. An OR evaluates its arms in order and an InitPlan runs
--     only when its value is first needed, so for the creator member_org_ids() never runs.
--   - every policy that let the caller write a row of one of its organizations now also lets
--     it through when the organization was created by the caller in this very transaction
--     (public.organizations' primary key lookup, through the select policy above), before
--     asking the helper.
-- What each policy allows is the same set of rows as before, except for one thing: inside the
-- creating transaction, the creator may write the organization's rows before its owner
-- membership exists. Every path that creates an organization inserts that membership in the
-- same transaction (0002's organization_members insert policy is the same creator rule), so
-- nothing reachable changes. After the commit the creator arm is false for ever (the
-- transaction id is never current again), and the membership helpers decide as before.
--
-- Measured: one POST /complete (a logo URL, two departments) called the membership helpers 15
-- times before this migration and 0 times after (pg_stat_user_functions, track_functions =
-- all); sql/tests/96_creator_rows.sql asserts the 0 for the same statements.

alter policy organizations_select_app on public.organizations
  using (((created_by = onboardd_private.current_user_id())
          and (created_xact = (select pg_current_xact_id_if_assigned())))
         or (id = any ((select onboardd_private.member_org_ids())::uuid[])));

-- True when the organization was created by the caller in the current transaction.
-- (Written out in each policy rather than in a function: a function would be the very call
-- this migration removes; an EXISTS is planned into the policy as a primary key lookup.)

alter policy departments_insert_app on public.departments
  with check ((exists (select 1 from public.organizations o
                       where o.id = departments.organization_id
                         and o.created_by = onboardd_private.current_user_id()
                         and o.created_xact = (select pg_current_xact_id_if_assigned())))
              or (organization_id = any ((select onboardd_private.admin_org_ids())::uuid[])));

alter policy roles_insert_app on public.roles
  with check ((exists (select 1 from public.organizations o
                       where o.id = roles.organization_id
                         and o.created_by = onboardd_private.current_user_id()
                         and o.created_xact = (select pg_current_xact_id_if_assigned())))
              or (organization_id = any ((select onboardd_private.admin_org_ids())::uuid[])));

alter policy organization_logos_insert_app on public.organization_logos
  with check ((exists (select 1 from public.organizations o
                       where o.id = organization_logos.organization_id
                         and o.created_by = onboardd_private.current_user_id()
                         and o.created_xact = (select pg_current_xact_id_if_assigned())))
              or (organization_id = any ((select onboardd_private.admin_org_ids())::uuid[])));

alter policy profiles_insert_app on public.profiles
  with check ((user_id = onboardd_private.current_user_id())
              and ((organization_id is null)
                   or (exists (select 1 from public.organizations o
                               where o.id = profiles.organization_id
                                 and o.created_by = onboardd_private.current_user_id()
                                 and o.created_xact = (select pg_current_xact_id_if_assigned())))
                   or (organization_id = any ((select onboardd_private.member_org_ids())::uuid[]))));

alter policy profiles_update_app on public.profiles
  using (user_id = onboardd_private.current_user_id())
  with check ((user_id = onboardd_private.current_user_id())
              and ((organization_id is null)
                   or (exists (select 1 from public.organizations o
                               where o.id = profiles.organization_id
                                 and o.created_by = onboardd_private.current_user_id()
                                 and o.created_xact = (select pg_current_xact_id_if_assigned())))
                   or (organization_id = any ((select onboardd_private.member_org_ids())::uuid[]))));

alter policy onboarding_sessions_insert_app on public.onboarding_sessions
  with check ((user_id = onboardd_private.current_user_id())
              and ((organization_id is null)
                   or (exists (select 1 from public.organizations o
                               where o.id = onboarding_sessions.organization_id
                                 and o.created_by = onboardd_private.current_user_id()
                                 and o.created_xact = (select pg_current_xact_id_if_assigned())))
                   or (organization_id = any ((select onboardd_private.member_org_ids())::uuid[]))));

alter policy onboarding_sessions_update_app on public.onboarding_sessions
  using (user_id = onboardd_private.current_user_id())
  with check ((user_id = onboardd_private.current_user_id())
              and ((organization_id is null)
                   or (exists (select 1 from public.organizations o
                               where o.id = onboarding_sessions.organization_id
                                 and o.created_by = onboardd_private.current_user_id()
                                 and o.created_xact = (select pg_current_xact_id_if_assigned())))
                   or (organization_id = any ((select onboardd_private.member_org_ids())::uuid[]))));

alter policy audit_log_insert_app on public.audit_log
  with check ((actor_id = onboardd_private.current_user_id())
              and ((organization_id is null)
                   or (exists (select 1 from public.organizations o
                               where o.id = audit_log.organization_id
                                 and o.created_by = onboardd_private.current_user_id()
                                 and o.created_xact = (select pg_current_xact_id_if_assigned())))
                   or (organization_id = any ((select onboardd_private.member_org_ids())::uuid[]))));
