-- 0010 cached function plans: same results, planned once per connection instead of per call.
--
-- Measured (perf on PostgreSQL under bench/run): a LANGUAGE sql function that cannot be
-- inlined (SECURITY DEFINER, or a SET clause) is parsed, analyzed and planned again by
-- fmgr_sql at every statement that calls it. That was
--   - the RLS policies' membership helpers: three such calls per GET /status (profiles twice,
--     organizations once), most of what RLS cost on that query;
--   - audit_row_hash, called by the audit trigger on every mutation: 8 % of all CPU under
--     POST /step load.
-- PL/pgSQL caches its plans per connection, so the helpers become PL/pgSQL (still SECURITY
-- DEFINER with a fixed search_path: the same privilege boundary). A cached plan outlives
-- the statistics it was made from: planned while organization_members looked empty (a new
-- deployment, before autovacuum's first analyze), it would scan the whole table, calling
-- current_setting() per row, at every call (measured: /complete at 348 req/s instead of
-- 1,200 with 3,600 members). So the helpers plan with enable_seqscan off: their lookup is
-- by user_id, and organization_members_user_idx covers it whatever the table's size. audit_row_hash keeps
-- LANGUAGE sql but loses its SET clause and becomes STABLE (its body calls STABLE builtins:
-- jsonb_build_array, convert_to, extract), which lets the planner inline it into the
-- trigger's cached plan. Without the SET clause, every name in it is schema-qualified, and
-- its callers (the audit trigger, audit_verify) set search_path themselves. The expression
-- is 0005's, unchanged (extract, not date_part: extract's numeric prints differently), so
-- the hashes of existing rows still verify.

create or replace function onboardd_private.member_org_ids() returns uuid[]
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  set enable_seqscan = off
  as $$
  begin
    return (select coalesce(array_agg(m.organization_id), '{}')
            from public.organization_members m
            where m.user_id = onboardd_private.current_user_id());
  end
  $$;

create or replace function onboardd_private.admin_org_ids() returns uuid[]
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  set enable_seqscan = off
  as $$
  begin
    return (select coalesce(array_agg(m.organization_id), '{}')
            from public.organization_members m
            where m.user_id = onboardd_private.current_user_id() and m.role in ('owner', 'admin'));
  end
  $$;

create or replace function onboardd_private.owner_org_ids() returns uuid[]
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  set enable_seqscan = off
  as $$
  begin
    return (select coalesce(array_agg(m.organization_id), '{}')
            from public.organization_members m
            where m.user_id = onboardd_private.current_user_id() and m.role = 'owner');
  end
  $$;

create or replace function onboardd_private.audit_row_hash(r public.audit_log) returns text
  language sql stable parallel safe
  as $$
    select pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.jsonb_build_array(
      r.prev_hash, r.chain_key, r.chain_seq, r.id, r.organization_id, r.actor_id, r.action,
      r.entity_type, r.entity_id, r.request_id, pg_catalog.host(r.ip), r.details,
      extract(epoch from r.created_at))::pg_catalog.text, 'UTF8')), 'hex')
  $$;
