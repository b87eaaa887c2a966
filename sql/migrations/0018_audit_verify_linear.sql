-- 0018 audit_verify_chains in one pass.
--
-- 0014's function named each broken chain's first bad row with two correlated subqueries on
-- its `checked` CTE, one of them in the select list of every chain: PostgreSQL materializes
-- the CTE and scans it whole once per chain, so verifying the log took time in chains × rows
-- (4,738 chains and 130,902 rows: more than 60 s). The first bad row's id and problem are now
-- aggregated with its sequence number, in the same pass: time in rows.
--
-- One difference, a fix: where two rows share a sequence number (a duplicate), 0014 named the
-- row with the lower id even when that one was sound (its problem then read null); this names
-- the first row that has a problem, ordered by sequence number, then id.
create or replace function onboardd_private.audit_verify_chains(only_chain text default null)
  returns table (chain_key text, row_count bigint, first_bad_seq bigint, first_bad_id bigint,
                 problem text)
  language sql stable
  as $$
    with checked as (
      select a.chain_key, a.chain_seq, a.id, a.hash,
             case
               when a.chain_seq <> row_number() over w then 'sequence'
               when a.prev_hash is distinct from lag(a.hash) over w then 'prev_hash'
               when a.hash <> onboardd_private.audit_row_hash(a) then 'hash'
             end as problem
      from public.audit_log a
      where only_chain is null or a.chain_key = only_chain
      window w as (partition by a.chain_key order by a.chain_seq)),
    chains as (
      select c.chain_key, count(*) as row_count, max(c.chain_seq) as last_seq,
             (array_agg(c.hash order by c.chain_seq desc))[1] as last_hash,
             (array_agg(c.chain_seq order by c.chain_seq, c.id)
                filter (where c.problem is not null))[1] as bad_seq,
             (array_agg(c.id order by c.chain_seq, c.id)
                filter (where c.problem is not null))[1] as bad_id,
             (array_agg(c.problem order by c.chain_seq, c.id)
                filter (where c.problem is not null))[1] as bad_problem
      from checked c group by c.chain_key),
    heads as (
      select h.chain_key, h.last_seq, h.last_hash from onboardd_private.audit_chain_heads h
      where only_chain is null or h.chain_key = only_chain)
    select coalesce(c.chain_key, h.chain_key), coalesce(c.row_count, 0),
           case when c.bad_seq is not null then c.bad_seq
                when c.chain_key is null then 1
                when h.chain_key is null then c.last_seq
                when h.last_seq > c.last_seq then c.last_seq + 1
                when h.last_seq <> c.last_seq or h.last_hash is distinct from c.last_hash
                  then c.last_seq
           end,
           c.bad_id,
           case when c.bad_seq is not null then c.bad_problem
                when c.chain_key is null or h.last_seq > c.last_seq then 'missing_tail'
                when h.chain_key is null or h.last_seq <> c.last_seq
                     or h.last_hash is distinct from c.last_hash then 'head_mismatch'
           end
    from chains c full join heads h on h.chain_key = c.chain_key
    order by 1
  $$;
