-- session_step_after() and session_percentage() (0012): the one home of "which step is the
-- session on" and "how complete is it", as LEGACY_API.md §2 states them; and the app role
-- may call both.

select plan(14);

select pg_temp.act_as('bob', :'org_a');
-- current step
select is(onboardd_private.session_step_after(1, 1, true, '{1}', 5), 2,
          'completing the current step moves to the next');
select is(onboardd_private.session_step_after(2, 3, true, '{1,3}', 5), 2,
          'completing another step than the current one does not move');
select is(onboardd_private.session_step_after(2, 2, false, '{1}', 5), 2,
          'a save that does not advance (invalid, or auto_advance false) does not move');
select is(onboardd_private.session_step_after(2, 2, true, '{1,2,3,4}', 5), 5,
          'moving skips steps already done');
select is(onboardd_private.session_step_after(5, 5, true, '{1,2,3,4,5}', 5), 5,
          'the last step stays the last step');
select is(onboardd_private.session_step_after(1, 1, true, '{1,2,3}', 3), 3,
          'every later step done: the last step');
select is(onboardd_private.session_step_after(3, null, true, '{1}', 5), 3,
          'no step: no move');
-- percentage
select is(onboardd_private.session_percentage(0, 2, '{1}', 5), 40,
          'after step 1 of 5: the step reached counts (2/5)');
select is(onboardd_private.session_percentage(0, 1, '{2,3}', 5), 40,
          'steps done count when they are more than the step reached (2/5)');
select is(onboardd_private.session_percentage(60, 2, '{1}', 5), 60, 'it never decreases');
select is(onboardd_private.session_percentage(0, 5, '{1,2,3,4,5}', 5), 100, 'all done: 100');
select is(onboardd_private.session_percentage(0, 2, '{1}', 3), 67, 'rounded half up (2/3 → 67)');
select is(onboardd_private.session_percentage(0, 9, '{1,2,3,4,5,6,7,8,9}', 4), 100,
          'never above 100');
select is(onboardd_private.session_percentage(10, 1, '{}', 0), 10, 'a broken total keeps what was');
