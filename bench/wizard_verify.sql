-- After bench/wizard_load: did every user's three steps reach their organization? Recomputes
-- what user i sent (wizard_load.cpp's StepBody) and compares it with what /complete created
-- from the saved draft alone. Run as a role that reads every row (bench/run: the superuser).
--
--   psql -v prefix=PREFIX -v users=N -f bench/wizard_verify.sql
--
-- Prints one line `users=N exact=E missing=M wrong=W sessions_open=S orgs_extra=X`; the run
-- lost nothing when E = N and every other count is 0.
\set ON_ERROR_STOP on
\pset tuples_only on
\pset format unaligned
with expected as (
  select i,
         :'prefix' || '-' || i as user_id,
         'Usuario ' || i as full_name,
         (array['corporativo', 'gerente', 'gerente', 'empleado'])[i % 4 + 1] as role_type,
         (array['beginner', 'intermediate', 'advanced'])[i % 3 + 1] as experience_level,
         'Empresa ' || i as company,
         (array['technology', 'finance', 'healthcare', 'education', 'retail', 'consulting',
                'marketing', 'energy'])[i % 8 + 1] as industry,
         (array['startup', 'small', 'medium', 'large', 'enterprise'])[i % 5 + 1] as size,
         'Carga ' || i as description,
         1 + i % 500 as team_size,
         (array['hierarchical', 'flat', 'matrix'])[i % 3 + 1] as structure,
         array['Producto ' || i, 'Ventas ' || i] as departments
  from generate_series(1, :users) as i
),
actual as (
  select e.i,
         p.user_id is not null as has_profile,
         p.full_name = e.full_name
           and p.role_type = e.role_type
           and p.experience_level = e.experience_level
           and p.department = 'Ventas ' || e.i
           and o.name = e.company
           and o.industry = e.industry
           and o.size = e.size
           and o.description = e.description
           and o.team_size = e.team_size
           and o.structure = e.structure
           and o.methodology = 'okrs'
           and o.collaboration_style = 'hybrid'
           and o.integrations = array['slack', 'jira']
           and o.created_by = e.user_id
           and m.role = 'owner'
           and (select array_agg(d.name order by d.name) from public.departments d
                where d.organization_id = o.id) = e.departments as exact
  from expected e
  left join public.profiles p on p.user_id = e.user_id
  left join public.organizations o on o.id = p.organization_id
  left join public.organization_members m on m.organization_id = o.id and m.user_id = e.user_id
)
select format('users=%s exact=%s missing=%s wrong=%s sessions_open=%s orgs_extra=%s',
              count(*),
              count(*) filter (where exact),
              count(*) filter (where not has_profile),
              count(*) filter (where has_profile and exact is not true),
              (select count(*) from public.onboarding_sessions s
               where s.user_id like :'prefix' || '-%' and s.status <> 'completed'),
              (select count(*) from public.organizations o
               where o.created_by like :'prefix' || '-%') - count(*) filter (where has_profile))
from actual;
