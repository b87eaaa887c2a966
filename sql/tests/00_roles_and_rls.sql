-- The security boundary itself: the roles' attributes, and for every table of the schema
-- (including ones added later) forced row level security and a policy for each command the
-- app role is granted. Also: a missing identity sees nothing, anywhere.

select plan(21 + (select count(*)::int from pg_class c join pg_namespace n on n.oid = c.relnamespace
                  where n.nspname = 'public' and c.relkind in ('r', 'p')
                    and has_table_privilege('onboardd_app', c.oid, 'SELECT')));

-- Roles ------------------------------------------------------------------------------------
select is((select rolsuper from pg_roles where rolname = 'onboardd_app'), false,
          'app role is not superuser');
select is((select rolbypassrls from pg_roles where rolname = 'onboardd_app'), false,
          'app role has no BYPASSRLS');
select is((select rolcreatedb or rolcreaterole from pg_roles where rolname = 'onboardd_app'),
          false, 'app role cannot create databases or roles');
select is((select rolsuper or rolbypassrls from pg_roles where rolname = 'onboardd_owner'), false,
          'owner role is neither superuser nor BYPASSRLS (FORCE RLS binds it too)');
select ok(not pg_has_role('onboardd_app', 'onboardd_owner', 'MEMBER'),
          'app role is not a member of the owner role');
select is_empty($$select c.oid::regclass::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
                  where n.nspname in ('public', 'onboardd_private')
                    and pg_get_userbyid(c.relowner) <> 'onboardd_owner'
                    and c.relkind in ('r', 'p', 'v', 'm', 'S')
                    and not exists (select 1 from pg_depend d
                                    where d.objid = c.oid and d.deptype = 'e')$$,
                'every relation of the schema is owned by the owner role, none by the app');
select is(pg_get_userbyid((select datdba from pg_database where datname = current_database())),
          'onboardd_owner', 'the database is owned by the owner role');
select ok(not has_schema_privilege('onboardd_app', 'public', 'CREATE')
          and not has_schema_privilege('onboardd_app', 'onboardd_private', 'CREATE'),
          'app role cannot create objects in public or onboardd_private');
select ok(not has_database_privilege('onboardd_app', current_database(), 'CREATE')
          and not has_database_privilege('onboardd_app', current_database(), 'TEMPORARY'),
          'app role has only CONNECT on the database');
select is_empty($$select c.oid::regclass::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
                  where n.nspname = 'onboardd_private' and c.relkind in ('r', 'p')
                    and (has_table_privilege('onboardd_app', c.oid, 'SELECT')
                         or has_table_privilege('onboardd_app', c.oid, 'INSERT')
                         or has_table_privilege('onboardd_app', c.oid, 'UPDATE')
                         or has_table_privilege('onboardd_app', c.oid, 'DELETE'))$$,
                'app role has no privilege on onboardd_private tables');
select is_empty($$select c.oid::regclass::text || ' ' || p from pg_class c
                  join pg_namespace n on n.oid = c.relnamespace
                  cross join unnest(array['TRUNCATE', 'REFERENCES', 'TRIGGER']) p
                  where n.nspname = 'public' and c.relkind in ('r', 'p')
                    and has_table_privilege('onboardd_app', c.oid, p)$$,
                'app role has no TRUNCATE, REFERENCES or TRIGGER privilege');

-- Every table: RLS enabled and forced, and a policy for each command the app may do ---------
select is_empty($$select c.oid::regclass::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
                  where n.nspname in ('public', 'onboardd_private') and c.relkind in ('r', 'p')
                    and not (c.relrowsecurity and c.relforcerowsecurity)$$,
                'every table has row level security enabled and forced');
select is_empty($$select c.oid::regclass::text || ' ' || cmd from pg_class c
                  join pg_namespace n on n.oid = c.relnamespace
                  cross join unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE']) cmd
                  where n.nspname = 'public' and c.relkind in ('r', 'p')
                    and (has_table_privilege('onboardd_app', c.oid, cmd)
                         or has_any_column_privilege('onboardd_app', c.oid, cmd))
                    and not exists (
                      select 1 from pg_policies p
                      where p.schemaname = n.nspname and p.tablename = c.relname
                        and p.cmd in (cmd, 'ALL')
                        and p.roles && array['onboardd_app', 'public']::name[])$$,
                'every command granted to the app role on a table has a policy for it');
select is_empty($$select schemaname || '.' || tablename || ' ' || policyname from pg_policies
                  where schemaname in ('public', 'onboardd_private')
                    and roles && array['public']::name[]$$,
                'no policy applies to PUBLIC: each names its role');
select is_empty($$select p.oid::regprocedure::text from pg_proc p
                  join pg_namespace n on n.oid = p.pronamespace
                  where n.nspname in ('public', 'onboardd_private') and p.prosecdef
                    and not exists (select 1 from unnest(p.proconfig) c where c like 'search_path=%')$$,
                'every SECURITY DEFINER function pins its search_path');
select is_empty($$select p.oid::regprocedure::text from pg_proc p
                  join pg_namespace n on n.oid = p.pronamespace
                  where n.nspname in ('public', 'onboardd_private')
                    and pg_get_userbyid(p.proowner) <> 'onboardd_owner'
                    and not exists (select 1 from pg_depend d
                                    where d.objid = p.oid and d.deptype = 'e')$$,
                'every function of the schema is owned by the owner role');

-- A missing identity sees nothing ----------------------------------------------------------
select pg_temp.act_as_nobody();
select is(onboardd_private.current_user_id(), null, 'no app.user_id: current_user_id() is NULL');
select is((xpath('/row/c/text()',
                 query_to_xml(format('select count(*) as c from %s', c.oid::regclass), false,
                              true, '')))[1]::text, '0',
          format('%s: nothing visible without an identity', c.oid::regclass))
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'public' and c.relkind in ('r', 'p')
  and has_table_privilege('onboardd_app', c.oid, 'SELECT')
  and c.relname <> 'schema_migrations'
order by c.relname;
select pg_temp.act_as('alice', :'org_a');
select is(onboardd_private.current_org_id(), :'org_a'::uuid, 'current_org_id() reads app.org_id');
select set_config('app.org_id', 'not-a-uuid', true);
select is(onboardd_private.current_org_id(), null, 'a malformed app.org_id reads as NULL, not an error');
select set_config('app.user_id', '', true);
select is((select count(*) from organizations), 0::bigint, 'an empty app.user_id is no identity');
select is((select count(*) from schema_migrations) > 0, true,
          'schema_migrations is readable by the app role (for /readyz)');
select throws_ok($$delete from schema_migrations$$, '42501', null, 'but not writable');
select * from finish();
