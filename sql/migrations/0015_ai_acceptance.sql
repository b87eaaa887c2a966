-- 0015 ai acceptance: how often the AI overlay's suggestions are taken, per feature. A view
-- with security_invoker, so that it reads ai_suggestions and ai_interactions with the
-- caller's rights: through the app role every user sees only her own suggestions (RLS of
-- 0004), and the owner sees everyone's. Analytics across users (SPEC §4.6) will need a
-- security-definer aggregate of its own; this is the one definition of the rate it will use.
--
-- acceptance_rate = accepted / decided (NULL while nothing is decided); a "modified"
-- suggestion was used with changes and counts in adoption_rate = (accepted + modified) /
-- decided. Undecided suggestions count in `suggestions` only.

create view public.ai_acceptance_by_feature with (security_invoker = true) as
select i.feature,
       count(*)::int as suggestions,
       count(s.decision)::int as decided,
       (count(*) filter (where s.decision = 'accepted'))::int as accepted,
       (count(*) filter (where s.decision = 'modified'))::int as modified,
       (count(*) filter (where s.decision = 'declined'))::int as declined,
       round((count(*) filter (where s.decision = 'accepted'))::numeric
             / nullif(count(s.decision), 0), 4) as acceptance_rate,
       round((count(*) filter (where s.decision in ('accepted', 'modified')))::numeric
             / nullif(count(s.decision), 0), 4) as adoption_rate
  from public.ai_suggestions s
  join public.ai_interactions i on i.id = s.interaction_id and i.user_id = s.user_id
 group by i.feature;

grant select on public.ai_acceptance_by_feature to onboardd_app;
