-- 0002 organizations: the tenant, its memberships, profiles, departments, role catalog and
-- logo, with their policies.
--
-- Membership without recursion: a policy on organization_members cannot query
-- organization_members as the app (it would recurse). Instead the SECURITY DEFINER helpers
-- member_org_ids()/admin_org_ids()/owner_org_ids() read it as onboardd_owner, whose only
-- policy on that table is "your own membership rows" (non-recursive). They return the
-- caller's organization ids as an array, evaluated once per statement:
--   organization_id = any ((select onboardd_private.member_org_ids())::uuid[])
--
-- Creating an organization (the completion transaction, as the app role):
--   1. insert into organizations (..., created_by = current user) returning id
--      allowed: created_by must be the current user; a BEFORE trigger stamps created_xact
--      with the inserting transaction's id, and the SELECT policy lets the creator see the
--      row only within that transaction (so RETURNING works before any membership exists);
--   2. insert into organization_members (that org, current user, 'owner')
--      allowed only for an organization the current user created in this very transaction;
--   3. departments, roles, logo, profile: allowed through the new (owner) membership.
-- There is no other way for the app to add a membership: it cannot join another
-- organization, nor make itself admin anywhere it is not already admin (only admins update
-- memberships, and only owners grant 'owner'). Invitations, when they exist, need their own
-- table and policy.

create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(btrim(name)) between 2 and 100),
  slug text not null unique
    check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(slug) <= 120),
  -- Catalog ids (industry, size, structure, ...) are validated against the catalog by the
  -- server; the database checks their shape so that a new catalog value needs no migration.
  industry text not null check (industry ~ '^[a-z][a-z0-9_]{0,63}$'),
  size text not null check (size ~ '^[a-z][a-z0-9_]{0,63}$'),
  description text check (char_length(description) <= 500),
  team_size integer check (team_size between 1 and 10000),
  structure text check (structure ~ '^[a-z][a-z0-9_]{0,63}$'),
  methodology text check (methodology ~ '^[a-z][a-z0-9_]{0,63}$'),
  collaboration_style text check (collaboration_style ~ '^[a-z][a-z0-9_]{0,63}$'),
  integrations text[] not null default '{}' check (cardinality(integrations) <= 32),
  settings jsonb not null default '{}' check (jsonb_typeof(settings) = 'object'),
  created_by text not null check (char_length(created_by) between 1 and 255),
  -- The creating transaction (stamped by trigger): see the header and the SELECT policy.
  created_xact xid8 not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index organizations_created_by_idx on public.organizations (created_by);

create function onboardd_private.stamp_created_xact() returns trigger
  language plpgsql
  as $$
  begin
    new.created_xact := pg_current_xact_id();
    return new;
  end
  $$;
create trigger organizations_created_xact before insert on public.organizations
  for each row execute function onboardd_private.stamp_created_xact();
create trigger organizations_updated_at before update on public.organizations
  for each row execute function onboardd_private.touch_updated_at();

create table public.organization_members (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  user_id text not null check (char_length(user_id) between 1 and 255),
  role text not null check (role in ('owner', 'admin', 'member')),
  department text check (char_length(department) <= 100),
  job_title text check (char_length(job_title) <= 100),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (organization_id, user_id)
);
-- The helpers' lookup: one index-only scan per statement.
create index organization_members_user_idx on public.organization_members (user_id)
  include (organization_id, role);
create trigger organization_members_updated_at before update on public.organization_members
  for each row execute function onboardd_private.touch_updated_at();

-- The caller's organizations (any role / owner or admin / owner), as arrays. SECURITY DEFINER:
-- they run as onboardd_owner, which sees only the caller's own membership rows.
create function onboardd_private.member_org_ids() returns uuid[]
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
    select coalesce(array_agg(m.organization_id), '{}')
    from public.organization_members m
    where m.user_id = onboardd_private.current_user_id()
  $$;
create function onboardd_private.admin_org_ids() returns uuid[]
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
    select coalesce(array_agg(m.organization_id), '{}')
    from public.organization_members m
    where m.user_id = onboardd_private.current_user_id() and m.role in ('owner', 'admin')
  $$;
create function onboardd_private.owner_org_ids() returns uuid[]
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
    select coalesce(array_agg(m.organization_id), '{}')
    from public.organization_members m
    where m.user_id = onboardd_private.current_user_id() and m.role = 'owner'
  $$;
grant execute on function onboardd_private.member_org_ids(), onboardd_private.admin_org_ids(),
  onboardd_private.owner_org_ids() to onboardd_app;

create table public.profiles (
  id uuid primary key default gen_random_uuid(),
  user_id text not null check (char_length(user_id) between 1 and 255),
  organization_id uuid references public.organizations (id) on delete set null,
  is_primary boolean not null default true,
  full_name text not null check (char_length(btrim(full_name)) between 1 and 200),
  email text check (char_length(email) <= 320),
  role_type text not null check (role_type in ('corporativo', 'gerente', 'empleado')),
  custom_role text check (char_length(custom_role) <= 100),
  experience_level text check (experience_level in ('beginner', 'intermediate', 'advanced')),
  department text check (char_length(department) <= 100),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (user_id, organization_id)
);
-- One primary profile per user; also the status query's lookup.
create unique index profiles_primary_user_idx on public.profiles (user_id) where is_primary;
create index profiles_organization_idx on public.profiles (organization_id);
create trigger profiles_updated_at before update on public.profiles
  for each row execute function onboardd_private.touch_updated_at();

create table public.departments (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  description text check (char_length(description) <= 500),
  parent_id uuid check (parent_id <> id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, id),
  -- The parent is in the same organization: the foreign key includes it.
  foreign key (organization_id, parent_id) references public.departments (organization_id, id)
    on delete set null (parent_id)
);
create unique index departments_org_name_idx on public.departments (organization_id, lower(name));
create index departments_parent_idx on public.departments (organization_id, parent_id);

-- No cycles: walking up from the new parent must not reach the row itself.
create function onboardd_private.departments_no_cycle() returns trigger
  language plpgsql
  as $$
  begin
    if new.parent_id is not null and exists (
      with recursive up (id, parent_id, depth) as (
        select d.id, d.parent_id, 1 from public.departments d
        where d.organization_id = new.organization_id and d.id = new.parent_id
        union all
        select d.id, d.parent_id, up.depth + 1 from public.departments d
        join up on d.organization_id = new.organization_id and d.id = up.parent_id
        where up.depth < 1000)
      select 1 from up where up.id = new.id) then
      raise exception 'department % would become its own ancestor', new.id
        using errcode = 'check_violation';
    end if;
    return new;
  end
  $$;
create trigger departments_no_cycle before insert or update of parent_id on public.departments
  for each row execute function onboardd_private.departments_no_cycle();
create trigger departments_updated_at before update on public.departments
  for each row execute function onboardd_private.touch_updated_at();

create table public.roles (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  key text not null check (key ~ '^[a-z][a-z0-9_]{0,63}$'),
  name text not null check (char_length(btrim(name)) between 1 and 100),
  description text check (char_length(description) <= 500),
  is_system boolean not null default false,
  permissions jsonb not null default '[]' check (jsonb_typeof(permissions) = 'array'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, key)
);
create trigger roles_updated_at before update on public.roles
  for each row execute function onboardd_private.touch_updated_at();

-- One logo per organization: either the image bytes (png/jpeg/webp only; SVG can carry
-- script) or an https URL to one.
create table public.organization_logos (
  organization_id uuid primary key references public.organizations (id) on delete cascade,
  content_type text check (content_type in ('image/png', 'image/jpeg', 'image/webp')),
  data bytea check (octet_length(data) between 1 and 2097152),
  source_url text check (source_url ~ '^https?://' and char_length(source_url) <= 2048),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((data is null) <> (source_url is null)),
  check (data is null or content_type is not null)
);
create trigger organization_logos_updated_at before update on public.organization_logos
  for each row execute function onboardd_private.touch_updated_at();

-- Row security ------------------------------------------------------------------------------

alter table public.organizations enable row level security;
alter table public.organizations force row level security;
-- Members see their organizations; the creator sees a new one within its creating
-- transaction (INSERT ... RETURNING, and the owner-membership check below).
create policy organizations_select_app on public.organizations for select to onboardd_app
  using (id = any ((select onboardd_private.member_org_ids())::uuid[])
         or (created_by = (select onboardd_private.current_user_id())
             and created_xact = (select pg_current_xact_id_if_assigned())));
create policy organizations_insert_app on public.organizations for insert to onboardd_app
  with check (created_by = (select onboardd_private.current_user_id()));
create policy organizations_update_app on public.organizations for update to onboardd_app
  using (id = any ((select onboardd_private.admin_org_ids())::uuid[]))
  with check (id = any ((select onboardd_private.admin_org_ids())::uuid[]));
create policy organizations_delete_app on public.organizations for delete to onboardd_app
  using (id = any ((select onboardd_private.owner_org_ids())::uuid[]));
grant select, insert, delete on public.organizations to onboardd_app;
grant update (name, slug, industry, size, description, team_size, structure, methodology,
  collaboration_style, integrations, settings) on public.organizations to onboardd_app;

alter table public.organization_members enable row level security;
alter table public.organization_members force row level security;
-- The owner (i.e. the SECURITY DEFINER helpers) sees only the caller's own rows.
create policy organization_members_select_owner on public.organization_members
  for select to onboardd_owner
  using (user_id = (select onboardd_private.current_user_id()));
create policy organization_members_select_app on public.organization_members
  for select to onboardd_app
  using (organization_id = any ((select onboardd_private.member_org_ids())::uuid[]));
-- Only the creator's owner membership of an organization created in this transaction.
create policy organization_members_insert_app on public.organization_members
  for insert to onboardd_app
  with check (user_id = (select onboardd_private.current_user_id())
              and role = 'owner'
              and exists (select 1 from public.organizations o
                          where o.id = organization_id
                            and o.created_by = (select onboardd_private.current_user_id())
                            and o.created_xact = (select pg_current_xact_id_if_assigned())));
-- Admins manage memberships of their organizations; only owners touch or grant 'owner'.
create policy organization_members_update_app on public.organization_members
  for update to onboardd_app
  using (organization_id = any ((select onboardd_private.admin_org_ids())::uuid[])
         and (role <> 'owner' or organization_id = any ((select onboardd_private.owner_org_ids())::uuid[])))
  with check (organization_id = any ((select onboardd_private.admin_org_ids())::uuid[])
              and (role <> 'owner'
                   or organization_id = any ((select onboardd_private.owner_org_ids())::uuid[])));
-- Admins remove non-owners; anyone may leave an organization unless they own it.
create policy organization_members_delete_app on public.organization_members
  for delete to onboardd_app
  using (role <> 'owner'
         and (user_id = (select onboardd_private.current_user_id())
              or organization_id = any ((select onboardd_private.admin_org_ids())::uuid[])));
grant select, insert, delete on public.organization_members to onboardd_app;
grant update (role, department, job_title) on public.organization_members to onboardd_app;

alter table public.profiles enable row level security;
alter table public.profiles force row level security;
create policy profiles_select_app on public.profiles for select to onboardd_app
  using (user_id = (select onboardd_private.current_user_id())
         or organization_id = any ((select onboardd_private.admin_org_ids())::uuid[]));
create policy profiles_insert_app on public.profiles for insert to onboardd_app
  with check (user_id = (select onboardd_private.current_user_id())
              and (organization_id is null
                   or organization_id = any ((select onboardd_private.member_org_ids())::uuid[])));
create policy profiles_update_app on public.profiles for update to onboardd_app
  using (user_id = (select onboardd_private.current_user_id()))
  with check (user_id = (select onboardd_private.current_user_id())
              and (organization_id is null
                   or organization_id = any ((select onboardd_private.member_org_ids())::uuid[])));
create policy profiles_delete_app on public.profiles for delete to onboardd_app
  using (user_id = (select onboardd_private.current_user_id()));
grant select, insert, update, delete on public.profiles to onboardd_app;

-- departments, roles, organization_logos: members read, admins write.
alter table public.departments enable row level security;
alter table public.departments force row level security;
create policy departments_select_app on public.departments for select to onboardd_app
  using (organization_id = any ((select onboardd_private.member_org_ids())::uuid[]));
create policy departments_insert_app on public.departments for insert to onboardd_app
  with check (organization_id = any ((select onboardd_private.admin_org_ids())::uuid[]));
create policy departments_update_app on public.departments for update to onboardd_app
  using (organization_id = any ((select onboardd_private.admin_org_ids())::uuid[]))
  with check (organization_id = any ((select onboardd_private.admin_org_ids())::uuid[]));
create policy departments_delete_app on public.departments for delete to onboardd_app
  using (organization_id = any ((select onboardd_private.admin_org_ids())::uuid[]));
grant select, insert, update, delete on public.departments to onboardd_app;

alter table public.roles enable row level security;
alter table public.roles force row level security;
create policy roles_select_app on public.roles for select to onboardd_app
  using (organization_id = any ((select onboardd_private.member_org_ids())::uuid[]));
create policy roles_insert_app on public.roles for insert to onboardd_app
  with check (organization_id = any ((select onboardd_private.admin_org_ids())::uuid[]));
create policy roles_update_app on public.roles for update to onboardd_app
  using (organization_id = any ((select onboardd_private.admin_org_ids())::uuid[]))
  with check (organization_id = any ((select onboardd_private.admin_org_ids())::uuid[]));
create policy roles_delete_app on public.roles for delete to onboardd_app
  using (organization_id = any ((select onboardd_private.admin_org_ids())::uuid[]));
grant select, insert, update, delete on public.roles to onboardd_app;

alter table public.organization_logos enable row level security;
alter table public.organization_logos force row level security;
create policy organization_logos_select_app on public.organization_logos
  for select to onboardd_app
  using (organization_id = any ((select onboardd_private.member_org_ids())::uuid[]));
create policy organization_logos_insert_app on public.organization_logos
  for insert to onboardd_app
  with check (organization_id = any ((select onboardd_private.admin_org_ids())::uuid[]));
create policy organization_logos_update_app on public.organization_logos
  for update to onboardd_app
  using (organization_id = any ((select onboardd_private.admin_org_ids())::uuid[]))
  with check (organization_id = any ((select onboardd_private.admin_org_ids())::uuid[]));
create policy organization_logos_delete_app on public.organization_logos
  for delete to onboardd_app
  using (organization_id = any ((select onboardd_private.admin_org_ids())::uuid[]));
grant select, insert, update, delete on public.organization_logos to onboardd_app;
