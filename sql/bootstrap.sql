-- Bootstrap: the two roles and the database, run once by a superuser (onboardd dev, or an
-- operator) before any migration. Safe to re-run: existing roles are altered back to the
-- contract, the database is created only when missing.
--
--   psql -v ON_ERROR_STOP=1 -v owner_password=... -v app_password=... -f sql/bootstrap.sql
--
-- Both password variables are optional (unset: the role has no password, for trust/peer
-- auth on a private cluster). The contract the migrations rely on:
--   onboardd_owner  LOGIN, owns database onboardd and every object in it; not superuser,
--                   NOBYPASSRLS, so FORCE ROW LEVEL SECURITY applies to it too.
--   onboardd_app    LOGIN, what the server connects as: NOSUPERUSER NOBYPASSRLS
--                   NOCREATEDB NOCREATEROLE, only CONNECT on the database; every other
--                   privilege is granted by the migrations, by this fixed name.
\set ON_ERROR_STOP 1

select not exists (select 1 from pg_roles where rolname = 'onboardd_owner') as need_owner \gset
\if :need_owner
create role onboardd_owner login;
\endif
alter role onboardd_owner with login nosuperuser nobypassrls nocreatedb nocreaterole noreplication;

select not exists (select 1 from pg_roles where rolname = 'onboardd_app') as need_app \gset
\if :need_app
create role onboardd_app login;
\endif
alter role onboardd_app with login nosuperuser nobypassrls nocreatedb nocreaterole noreplication
  noinherit;

\if :{?owner_password}
alter role onboardd_owner password :'owner_password';
\endif
\if :{?app_password}
alter role onboardd_app password :'app_password';
\endif

select not exists (select 1 from pg_database where datname = 'onboardd') as need_db \gset
\if :need_db
create database onboardd owner onboardd_owner encoding 'UTF8' template template0;
\endif
alter database onboardd owner to onboardd_owner;

revoke all on database onboardd from public;
grant connect, temporary on database onboardd to onboardd_owner;
grant connect on database onboardd to onboardd_app;
-- Nothing else: in PostgreSQL 15 the public schema belongs to pg_database_owner (the owner
-- role here) and PUBLIC may not create in it; 0001_foundation.sql grants the app its USAGE.
