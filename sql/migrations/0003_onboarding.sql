-- 0003 onboarding: the wizard's server-side draft (sessions) and its per-step progress.
-- Both are the user's own: every policy is "user_id is the caller". Child rows carry user_id
-- too, with a composite foreign key to (session id, user_id), so a row can only hang off the
-- caller's own session and its policy needs no join.

create table public.onboarding_sessions (
  id uuid primary key default gen_random_uuid(),
  user_id text not null check (char_length(user_id) between 1 and 255),
  flow text not null default 'default' check (flow ~ '^[a-z][a-z0-9_-]{0,63}$'),
  status text not null default 'in_progress'
    check (status in ('in_progress', 'completed', 'abandoned', 'expired')),
  current_step integer not null default 1 check (current_step between 1 and 50),
  total_steps integer not null default 4 check (total_steps between 1 and 50),
  form_data jsonb not null default '{}' check (jsonb_typeof(form_data) = 'object'),
  completed_steps integer[] not null default '{}',
  completion_percentage integer not null default 0 check (completion_percentage between 0 and 100),
  -- Optimistic concurrency (ETag / If-Match): incremented by trigger on every update, so a
  -- writer cannot forget it; write `... where id = $1 and version = $2`.
  version integer not null default 1,
  organization_id uuid references public.organizations (id) on delete set null,
  context jsonb not null default '{}' check (jsonb_typeof(context) = 'object'),
  expires_at timestamptz not null default now() + interval '7 days',
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (id, user_id)
);
-- At most one in-progress session per user.
create unique index onboarding_sessions_one_in_progress_idx on public.onboarding_sessions (user_id)
  where status = 'in_progress';
-- The status query: the user's latest session.
create index onboarding_sessions_user_latest_idx on public.onboarding_sessions
  (user_id, created_at desc);
create index onboarding_sessions_organization_idx on public.onboarding_sessions (organization_id)
  where organization_id is not null;

create function onboardd_private.onboarding_sessions_before_update() returns trigger
  language plpgsql
  as $$
  begin
    new.version := old.version + 1;
    new.updated_at := now();
    if new.status = 'completed' and old.status <> 'completed' and new.completed_at is null then
      new.completed_at := now();
    end if;
    return new;
  end
  $$;
create trigger onboarding_sessions_before_update before update on public.onboarding_sessions
  for each row execute function onboardd_private.onboarding_sessions_before_update();

create table public.onboarding_progress (
  id uuid primary key default gen_random_uuid(),
  session_id uuid not null,
  user_id text not null,
  step_number integer not null check (step_number between 1 and 50),
  step_name text not null check (step_name ~ '^[a-z][a-z0-9_-]{0,63}$'),
  data jsonb not null default '{}' check (jsonb_typeof(data) = 'object'),
  is_completed boolean not null default false,
  is_skipped boolean not null default false,
  is_valid boolean not null default false,
  errors jsonb not null default '[]' check (jsonb_typeof(errors) = 'array'),
  started_at timestamptz not null default now(),
  completed_at timestamptz,
  time_spent_seconds integer not null default 0 check (time_spent_seconds >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (session_id, step_number),
  foreign key (session_id, user_id) references public.onboarding_sessions (id, user_id)
    on delete cascade
);
create index onboarding_progress_user_idx on public.onboarding_progress (user_id);
create trigger onboarding_progress_updated_at before update on public.onboarding_progress
  for each row execute function onboardd_private.touch_updated_at();

alter table public.onboarding_sessions enable row level security;
alter table public.onboarding_sessions force row level security;
create policy onboarding_sessions_select_app on public.onboarding_sessions
  for select to onboardd_app
  using (user_id = (select onboardd_private.current_user_id()));
create policy onboarding_sessions_insert_app on public.onboarding_sessions
  for insert to onboardd_app
  with check (user_id = (select onboardd_private.current_user_id())
              and (organization_id is null
                   or organization_id = any ((select onboardd_private.member_org_ids())::uuid[])));
create policy onboarding_sessions_update_app on public.onboarding_sessions
  for update to onboardd_app
  using (user_id = (select onboardd_private.current_user_id()))
  with check (user_id = (select onboardd_private.current_user_id())
              and (organization_id is null
                   or organization_id = any ((select onboardd_private.member_org_ids())::uuid[])));
create policy onboarding_sessions_delete_app on public.onboarding_sessions
  for delete to onboardd_app
  using (user_id = (select onboardd_private.current_user_id()));
grant select, insert, update, delete on public.onboarding_sessions to onboardd_app;

alter table public.onboarding_progress enable row level security;
alter table public.onboarding_progress force row level security;
create policy onboarding_progress_select_app on public.onboarding_progress
  for select to onboardd_app
  using (user_id = (select onboardd_private.current_user_id()));
create policy onboarding_progress_insert_app on public.onboarding_progress
  for insert to onboardd_app
  with check (user_id = (select onboardd_private.current_user_id()));
create policy onboarding_progress_update_app on public.onboarding_progress
  for update to onboardd_app
  using (user_id = (select onboardd_private.current_user_id()))
  with check (user_id = (select onboardd_private.current_user_id()));
create policy onboarding_progress_delete_app on public.onboarding_progress
  for delete to onboardd_app
  using (user_id = (select onboardd_private.current_user_id()));
grant select, insert, update, delete on public.onboarding_progress to onboardd_app;
