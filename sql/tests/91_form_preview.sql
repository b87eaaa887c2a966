-- form_preview (0013): the draft without inline images for GET /status, maintained on every
-- write of form_data; keep_draft_images(): the preview's path sent back keeps the saved image.

select plan(9);

select is(onboardd_private.form_preview('{"welcome": {"role": "ceo"}}'), null,
          'no inline image: no preview (readers use form_data)');
select is(onboardd_private.form_preview(
            '{"welcome": {"role": "ceo"}, "company": {"name": "Acme", "logo": "data:image/png;base64,iVBORw0KGgo="}}'),
          '{"welcome": {"role": "ceo"}, "company": {"name": "Acme", "logo": "/api/onboarding/draft/image/company/logo"}}'::jsonb,
          'a data: URL becomes the path that serves it; everything else is kept');
select is(onboardd_private.form_preview('{"company": {"logo": "https://x.example/l.png"}, "n": 1}'),
          null, 'an http(s) logo is no inline image');

select pg_temp.act_as('bob', :'org_a');
update onboarding_sessions set form_data = '{"company": {"logo": "DATA:image/png;base64,AAAA", "name": "B"}}'
  where id = :'sess_bob';
select is((select form_preview -> 'company' ->> 'logo' from onboarding_sessions where id = :'sess_bob'),
          '/api/onboarding/draft/image/company/logo', 'a write of form_data stores the preview');
update onboarding_sessions set form_data = '{"company": {"name": "B"}}' where id = :'sess_bob';
select is((select form_preview from onboarding_sessions where id = :'sess_bob'), null,
          'and clears it when the image is gone');

select is(onboardd_private.keep_draft_images('company',
            '{"logo": "data:image/png;base64,AAAA", "name": "Old"}',
            '{"logo": "/api/onboarding/draft/image/company/logo", "name": "New"}'),
          '{"logo": "data:image/png;base64,AAAA", "name": "New"}'::jsonb,
          'the path of the saved image keeps it');
select is(onboardd_private.keep_draft_images('company', '{"name": "Old"}',
            '{"logo": "/api/onboarding/draft/image/company/logo", "name": "New"}'),
          '{"name": "New"}'::jsonb, 'with no saved image the path is dropped');
select is(onboardd_private.keep_draft_images('company', '{"logo": "data:image/png;base64,AAAA"}',
            '{"logo": "/api/onboarding/draft/image/welcome/logo"}'),
          '{"logo": "/api/onboarding/draft/image/welcome/logo"}'::jsonb,
          'another step''s path is not this field''s image: left for validation to refuse');
select is(onboardd_private.keep_draft_images('company', null, '{"name": "x"}'),
          '{"name": "x"}'::jsonb, 'data without paths is returned as is');
