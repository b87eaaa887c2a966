-- 0004 ai: the AI overlay's accounting (interactions), the suggestions it made and the
-- user's decision on each, and the user's preferences. All the user's own. Interactions are
-- an append-only record (the app may not update or delete them); suggestions are updated
-- once, when the user decides.

create table public.ai_interactions (
  id uuid primary key default gen_random_uuid(),
  user_id text not null check (char_length(user_id) between 1 and 255),
  organization_id uuid references public.organizations (id) on delete set null,
  session_id uuid,
  feature text not null check (feature ~ '^[a-z][a-z0-9_]{0,63}$'),
  provider text not null check (provider ~ '^[a-z][a-z0-9_-]{0,63}$'),
  model text check (char_length(model) <= 200),
  prompt_version text check (char_length(prompt_version) <= 64),
  input_hash text not null check (char_length(input_hash) <= 128),
  cached boolean not null default false,
  latency_ms integer not null default 0 check (latency_ms >= 0),
  tokens_in integer not null default 0 check (tokens_in >= 0),
  tokens_out integer not null default 0 check (tokens_out >= 0),
  cost_usd numeric(12, 6) not null default 0 check (cost_usd >= 0),
  outcome text not null check (outcome ~ '^[a-z][a-z0-9_]{0,63}$'),
  created_at timestamptz not null default now(),
  unique (id, user_id),
  foreign key (session_id, user_id) references public.onboarding_sessions (id, user_id)
    on delete set null (session_id)
);
-- Quotas count the user's calls of the last hour; analytics scan by organization.
create index ai_interactions_user_created_idx on public.ai_interactions
  (user_id, feature, created_at desc);
create index ai_interactions_organization_idx on public.ai_interactions (organization_id)
  where organization_id is not null;
create index ai_interactions_session_idx on public.ai_interactions (session_id)
  where session_id is not null;

create table public.ai_suggestions (
  id uuid primary key default gen_random_uuid(),
  interaction_id uuid not null,
  user_id text not null,
  field text not null check (char_length(field) between 1 and 200),
  suggested_value jsonb not null,
  decision text check (decision in ('accepted', 'declined', 'modified')),
  final_value jsonb,
  decided_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((decision is null) = (decided_at is null)),
  foreign key (interaction_id, user_id) references public.ai_interactions (id, user_id)
    on delete cascade
);
create index ai_suggestions_user_idx on public.ai_suggestions (user_id);
create index ai_suggestions_interaction_idx on public.ai_suggestions (interaction_id);
create trigger ai_suggestions_updated_at before update on public.ai_suggestions
  for each row execute function onboardd_private.touch_updated_at();

create table public.ai_preferences (
  user_id text primary key check (char_length(user_id) between 1 and 255),
  enabled boolean not null default true,
  assistance_level text not null default 'moderate'
    check (assistance_level in ('minimal', 'moderate', 'extensive')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create trigger ai_preferences_updated_at before update on public.ai_preferences
  for each row execute function onboardd_private.touch_updated_at();

alter table public.ai_interactions enable row level security;
alter table public.ai_interactions force row level security;
create policy ai_interactions_select_app on public.ai_interactions for select to onboardd_app
  using (user_id = (select onboardd_private.current_user_id()));
create policy ai_interactions_insert_app on public.ai_interactions for insert to onboardd_app
  with check (user_id = (select onboardd_private.current_user_id())
              and (organization_id is null
                   or organization_id = any ((select onboardd_private.member_org_ids())::uuid[])));
grant select, insert on public.ai_interactions to onboardd_app;

alter table public.ai_suggestions enable row level security;
alter table public.ai_suggestions force row level security;
create policy ai_suggestions_select_app on public.ai_suggestions for select to onboardd_app
  using (user_id = (select onboardd_private.current_user_id()));
create policy ai_suggestions_insert_app on public.ai_suggestions for insert to onboardd_app
  with check (user_id = (select onboardd_private.current_user_id()));
create policy ai_suggestions_update_app on public.ai_suggestions for update to onboardd_app
  using (user_id = (select onboardd_private.current_user_id()))
  with check (user_id = (select onboardd_private.current_user_id()));
create policy ai_suggestions_delete_app on public.ai_suggestions for delete to onboardd_app
  using (user_id = (select onboardd_private.current_user_id()));
grant select, insert, delete on public.ai_suggestions to onboardd_app;
grant update (decision, final_value, decided_at) on public.ai_suggestions to onboardd_app;

alter table public.ai_preferences enable row level security;
alter table public.ai_preferences force row level security;
create policy ai_preferences_select_app on public.ai_preferences for select to onboardd_app
  using (user_id = (select onboardd_private.current_user_id()));
create policy ai_preferences_insert_app on public.ai_preferences for insert to onboardd_app
  with check (user_id = (select onboardd_private.current_user_id()));
create policy ai_preferences_update_app on public.ai_preferences for update to onboardd_app
  using (user_id = (select onboardd_private.current_user_id()))
  with check (user_id = (select onboardd_private.current_user_id()));
create policy ai_preferences_delete_app on public.ai_preferences for delete to onboardd_app
  using (user_id = (select onboardd_private.current_user_id()));
grant select, insert, update, delete on public.ai_preferences to onboardd_app;
