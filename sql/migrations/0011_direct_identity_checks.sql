-- 0011 direct identity checks: every app policy compares with
-- onboardd_private.current_user_id() directly instead of through `(select ...)`.
--
-- current_user_id() is LANGUAGE sql, STABLE, without SET or SECURITY DEFINER, so the planner
-- inlines it into nullif(current_setting('app.user_id', true), ''): a GUC lookup, cheap per
-- row and usable as an index condition. Wrapped in `(select ...)` it became an InitPlan that
-- every execution of every statement initializes (a Result node and its projection), and
-- perf under the /status load showed executor start-up as most of what RLS cost
-- (ExecInitResult 15 % of PostgreSQL's CPU as the app role versus 4 % as the superuser).
-- Measured with bench/db-bench's /status transaction at 64 concurrent: +4–9 % tps.
-- The membership helpers stay wrapped: they are SECURITY DEFINER (never inlined), and
-- without the InitPlan they would run once per row.
--
-- Each USING / WITH CHECK below is the earlier expression (pg_policies), with only that
-- wrapper removed; commands and roles are unchanged.

alter policy ai_interactions_insert_app on public.ai_interactions
  with check ((user_id = onboardd_private.current_user_id()) AND ((organization_id IS NULL) OR (organization_id = ANY (( SELECT onboardd_private.member_org_ids() AS member_org_ids)::uuid[]))));
alter policy ai_interactions_select_app on public.ai_interactions
  using (user_id = onboardd_private.current_user_id());
alter policy ai_preferences_delete_app on public.ai_preferences
  using (user_id = onboardd_private.current_user_id());
alter policy ai_preferences_insert_app on public.ai_preferences
  with check (user_id = onboardd_private.current_user_id());
alter policy ai_preferences_select_app on public.ai_preferences
  using (user_id = onboardd_private.current_user_id());
alter policy ai_preferences_update_app on public.ai_preferences
  using (user_id = onboardd_private.current_user_id())
  with check (user_id = onboardd_private.current_user_id());
alter policy ai_suggestions_delete_app on public.ai_suggestions
  using (user_id = onboardd_private.current_user_id());
alter policy ai_suggestions_insert_app on public.ai_suggestions
  with check (user_id = onboardd_private.current_user_id());
alter policy ai_suggestions_select_app on public.ai_suggestions
  using (user_id = onboardd_private.current_user_id());
alter policy ai_suggestions_update_app on public.ai_suggestions
  using (user_id = onboardd_private.current_user_id())
  with check (user_id = onboardd_private.current_user_id());
alter policy audit_log_insert_app on public.audit_log
  with check ((actor_id = onboardd_private.current_user_id()) AND ((organization_id IS NULL) OR (organization_id = ANY (( SELECT onboardd_private.member_org_ids() AS member_org_ids)::uuid[]))));
alter policy idempotency_keys_delete_app on public.idempotency_keys
  using (user_id = onboardd_private.current_user_id());
alter policy idempotency_keys_insert_app on public.idempotency_keys
  with check (user_id = onboardd_private.current_user_id());
alter policy idempotency_keys_select_app on public.idempotency_keys
  using (user_id = onboardd_private.current_user_id());
alter policy idempotency_keys_update_app on public.idempotency_keys
  using (user_id = onboardd_private.current_user_id())
  with check (user_id = onboardd_private.current_user_id());
alter policy onboarding_progress_delete_app on public.onboarding_progress
  using (user_id = onboardd_private.current_user_id());
alter policy onboarding_progress_insert_app on public.onboarding_progress
  with check (user_id = onboardd_private.current_user_id());
alter policy onboarding_progress_select_app on public.onboarding_progress
  using (user_id = onboardd_private.current_user_id());
alter policy onboarding_progress_update_app on public.onboarding_progress
  using (user_id = onboardd_private.current_user_id())
  with check (user_id = onboardd_private.current_user_id());
alter policy onboarding_sessions_delete_app on public.onboarding_sessions
  using (user_id = onboardd_private.current_user_id());
alter policy onboarding_sessions_insert_app on public.onboarding_sessions
  with check ((user_id = onboardd_private.current_user_id()) AND ((organization_id IS NULL) OR (organization_id = ANY (( SELECT onboardd_private.member_org_ids() AS member_org_ids)::uuid[]))));
alter policy onboarding_sessions_select_app on public.onboarding_sessions
  using (user_id = onboardd_private.current_user_id());
alter policy onboarding_sessions_update_app on public.onboarding_sessions
  using (user_id = onboardd_private.current_user_id())
  with check ((user_id = onboardd_private.current_user_id()) AND ((organization_id IS NULL) OR (organization_id = ANY (( SELECT onboardd_private.member_org_ids() AS member_org_ids)::uuid[]))));
alter policy organization_members_delete_app on public.organization_members
  using ((role <> 'owner'::text) AND ((user_id = onboardd_private.current_user_id()) OR (organization_id = ANY (( SELECT onboardd_private.admin_org_ids() AS admin_org_ids)::uuid[]))));
alter policy organization_members_insert_app on public.organization_members
  with check ((user_id = onboardd_private.current_user_id()) AND (role = 'owner'::text) AND (EXISTS ( SELECT 1
   FROM organizations o
  WHERE ((o.id = organization_members.organization_id) AND (o.created_by = onboardd_private.current_user_id()) AND (o.created_xact = ( SELECT pg_current_xact_id_if_assigned() AS pg_current_xact_id_if_assigned))))));
alter policy organization_members_select_owner on public.organization_members
  using (user_id = onboardd_private.current_user_id());
alter policy organizations_insert_app on public.organizations
  with check (created_by = onboardd_private.current_user_id());
alter policy organizations_select_app on public.organizations
  using ((id = ANY (( SELECT onboardd_private.member_org_ids() AS member_org_ids)::uuid[])) OR ((created_by = onboardd_private.current_user_id()) AND (created_xact = ( SELECT pg_current_xact_id_if_assigned() AS pg_current_xact_id_if_assigned))));
alter policy profiles_delete_app on public.profiles
  using (user_id = onboardd_private.current_user_id());
alter policy profiles_insert_app on public.profiles
  with check ((user_id = onboardd_private.current_user_id()) AND ((organization_id IS NULL) OR (organization_id = ANY (( SELECT onboardd_private.member_org_ids() AS member_org_ids)::uuid[]))));
alter policy profiles_select_app on public.profiles
  using ((user_id = onboardd_private.current_user_id()) OR (organization_id = ANY (( SELECT onboardd_private.admin_org_ids() AS admin_org_ids)::uuid[])));
alter policy profiles_update_app on public.profiles
  using (user_id = onboardd_private.current_user_id())
  with check ((user_id = onboardd_private.current_user_id()) AND ((organization_id IS NULL) OR (organization_id = ANY (( SELECT onboardd_private.member_org_ids() AS member_org_ids)::uuid[]))));
