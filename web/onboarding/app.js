// The reference wizard page of onboardd (issue 16): welcome → company → organization →
// complete, over the API of SPEC §4. Plain JavaScript, no build step, no inline script (the
// page's CSP forbids it). The fields of each step come from GET /api/onboarding/config (the
// catalog's flow), the draft and the step to resume from GET /api/onboarding/status, and
// validation messages from the server (POST /api/onboarding/step answers 400 with details).
//
// Sign-in: with Stack Auth the `stack-access` cookie goes with every same-origin request. In
// development, `onboardd dev` prints a link ending in `#token=<dev token>`: the fragment never
// reaches the server; the page keeps the token in sessionStorage and sends it as a Bearer.
'use strict';

(() => {
  const TEXT = {
    es: {
      title: 'Stratix · Configuración inicial',
      skip: 'Saltar al contenido',
      switchLanguage: 'English',
      switchLanguageLang: 'en',
      progress: 'Progreso',
      loading: 'Cargando…',
      stepOf: (n, total) => `Paso ${n} de ${total}`,
      back: 'Atrás',
      next: 'Guardar y continuar',
      skipStep: 'Omitir este paso',
      saving: 'Guardando…',
      saved: 'Paso guardado',
      finish: 'Finalizar y crear la organización',
      finishing: 'Creando la organización…',
      choose: 'Elige una opción',
      fixErrors: 'Revisa los campos marcados.',
      resumed: 'Continúa donde lo dejaste.',
      signedOutTitle: 'Inicia sesión para continuar',
      signedOutBody: 'Esta página usa tu sesión de Stratix. Inicia sesión y vuelve a abrirla.',
      signedOutDev: 'En desarrollo: abre el enlace que imprime scripts/run (termina en #token=…).',
      error: 'Algo ha fallado. Inténtalo de nuevo.',
      retry: 'Reintentar',
      logoHint: 'PNG, JPEG o WebP, hasta 2 MB.',
      logoRemove: 'Quitar logotipo',
      logoPreview: 'Vista previa del logotipo',
      logoType: 'El logotipo debe ser PNG, JPEG o WebP.',
      logoSize: 'El logotipo no puede superar los 2 MB.',
      departmentsHint: 'Uno por línea, por ejemplo: Ventas',
      reviewTitle: 'Revisa y termina',
      reviewLead: 'Esto es lo que has guardado. Puedes volver atrás para cambiarlo.',
      completeTitle: '¡Tu organización está lista!',
      completeLead: 'Ya puedes empezar a definir tus OKR.',
      none: '—',
      yes: 'Sí',
      aiTitle: 'Sugerencia de IA',
      aiHint: 'Con el nombre y la descripción de tu empresa te proponemos un sector.',
      aiSuggest: 'Sugerir sector',
      aiWorking: 'Pensando…',
      aiSuggested: 'Sector sugerido:',
      aiAccept: 'Aceptar',
      aiDecline: 'Rechazar',
      aiModify: 'Modificar',
      aiModifyLabel: 'Elige el sector que prefieras',
      aiApply: 'Aplicar',
      aiAccepted: 'Sugerencia aceptada.',
      aiDeclined: 'Sugerencia rechazada.',
      aiModified: 'Sugerencia modificada.',
      aiNeedsName: 'Escribe primero el nombre de la empresa.',
      fields: {
        organization: 'Organización', slug: 'Identificador', industry: 'Sector', size: 'Tamaño',
        teamSize: 'Tamaño del equipo', departments: 'Departamentos', integrations: 'Integraciones',
        role: 'Rol', logo: 'Logotipo',
      },
    },
    en: {
      title: 'Stratix · Getting started',
      skip: 'Skip to content',
      switchLanguage: 'Español',
      switchLanguageLang: 'es',
      progress: 'Progress',
      loading: 'Loading…',
      stepOf: (n, total) => `Step ${n} of ${total}`,
      back: 'Back',
      next: 'Save and continue',
      skipStep: 'Skip this step',
      saving: 'Saving…',
      saved: 'Step saved',
      finish: 'Finish and create the organization',
      finishing: 'Creating the organization…',
      choose: 'Choose an option',
      fixErrors: 'Please check the highlighted fields.',
      resumed: 'Pick up where you left off.',
      signedOutTitle: 'Sign in to continue',
      signedOutBody: 'This page uses your Stratix session. Sign in and open it again.',
      signedOutDev: 'In development: open the link scripts/run prints (it ends in #token=…).',
      error: 'Something went wrong. Please try again.',
      retry: 'Try again',
      logoHint: 'PNG, JPEG or WebP, up to 2 MB.',
      logoRemove: 'Remove logo',
      logoPreview: 'Logo preview',
      logoType: 'The logo must be a PNG, JPEG or WebP image.',
      logoSize: 'The logo cannot be larger than 2 MB.',
      departmentsHint: 'One per line, for example: Sales',
      reviewTitle: 'Review and finish',
      reviewLead: 'This is what you saved. You can go back to change it.',
      completeTitle: 'Your organization is ready!',
      completeLead: 'You can start setting your OKRs now.',
      none: '—',
      yes: 'Yes',
      aiTitle: 'AI suggestion',
      aiHint: 'From your company name and description we suggest an industry.',
      aiSuggest: 'Suggest an industry',
      aiWorking: 'Thinking…',
      aiSuggested: 'Suggested industry:',
      aiAccept: 'Accept',
      aiDecline: 'Decline',
      aiModify: 'Modify',
      aiModifyLabel: 'Choose the industry you prefer',
      aiApply: 'Apply',
      aiAccepted: 'Suggestion accepted.',
      aiDeclined: 'Suggestion declined.',
      aiModified: 'Suggestion modified.',
      aiNeedsName: 'Type the company name first.',
      fields: {
        organization: 'Organization', slug: 'Identifier', industry: 'Industry', size: 'Size',
        teamSize: 'Team size', departments: 'Departments', integrations: 'Integrations',
        role: 'Role', logo: 'Logo',
      },
    },
  };

  // Labels of the enum values the catalog does not name (industries and sizes it does).
  const VALUE_LABELS = {
    es: {
      role: { ceo: 'Dirección general (CEO)', manager: 'Gerente', team_lead: 'Líder de equipo',
        individual: 'Colaborador/a individual', custom: 'Otro (personalizado)' },
      experienceLevel: { beginner: 'Principiante', intermediate: 'Intermedia', advanced: 'Avanzada' },
      structure: { hierarchical: 'Jerárquica', flat: 'Plana', matrix: 'Matricial' },
      methodology: { okrs: 'OKR', kpis: 'KPI', custom: 'Propia' },
      collaborationStyle: { centralized: 'Centralizado', distributed: 'Distribuido', hybrid: 'Híbrido' },
      integrations: { email: 'Correo electrónico' },
    },
    en: {
      role: { ceo: 'Chief executive (CEO)', manager: 'Manager', team_lead: 'Team lead',
        individual: 'Individual contributor', custom: 'Other (custom)' },
      experienceLevel: { beginner: 'Beginner', intermediate: 'Intermediate', advanced: 'Advanced' },
      structure: { hierarchical: 'Hierarchical', flat: 'Flat', matrix: 'Matrix' },
      methodology: { okrs: 'OKRs', kpis: 'KPIs', custom: 'Our own' },
      collaborationStyle: { centralized: 'Centralized', distributed: 'Distributed', hybrid: 'Hybrid' },
      integrations: { email: 'Email' },
    },
  };
  const PROPER_NAMES = { slack: 'Slack', teams: 'Microsoft Teams', jira: 'Jira', asana: 'Asana',
    trello: 'Trello', notion: 'Notion', github: 'GitHub' };

  const TOKEN_KEY = 'onboardd.devToken';
  const LANGUAGE_KEY = 'onboardd.language';
  const BASE = '/onboarding/';

  const state = {
    lang: 'es',
    token: null,
    config: null,
    flow: null,
    status: null,
    draft: {},          // step id -> the data as saved (or as the status returned it)
    aiEnabled: false,
    logo: '',           // the company step's logo value: data: URL, the draft's path, or ''
    logoPreview: '',    // what the <img> shows: data: or blob: URL
    organization: null, // after completion
    currentStep: null,
  };

  const $ = (id) => document.getElementById(id);
  const t = () => TEXT[state.lang];
  const localized = (pair) => (pair && typeof pair === 'object' ? pair[state.lang] ?? pair.es : pair);

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === false || value === null || value === undefined) continue;
      if (name === 'text') node.textContent = value;
      else if (name === 'className') node.className = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // --- sign-in and language -----------------------------------------------------------------

  function readToken() {
    const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (match) {
      sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
      // Out of the address bar and the history: a token is not something to share by link.
      history.replaceState(null, '', location.pathname + location.search);
    }
    state.token = sessionStorage.getItem(TOKEN_KEY);
  }

  function readLanguage() {
    const asked = new URLSearchParams(location.search).get('lang');
    const stored = localStorage.getItem(LANGUAGE_KEY);
    const browser = (navigator.language || '').toLowerCase().startsWith('en') ? 'en' : 'es';
    const lang = asked || stored || browser;
    state.lang = lang === 'en' ? 'en' : 'es';
  }

  function applyLanguage() {
    document.documentElement.lang = state.lang;
    document.title = t().title;
    const toggle = $('language');
    toggle.textContent = t().switchLanguage;
    toggle.lang = t().switchLanguageLang;
    $('progress-nav').setAttribute('aria-label', t().progress);
    for (const node of document.querySelectorAll('[data-text]')) {
      node.textContent = t()[node.dataset.text];
    }
  }

  // --- the API --------------------------------------------------------------------------------

  class SignedOut extends Error {}

  async function api(method, path, body) {
    const headers = { Accept: 'application/json', 'Accept-Language': state.lang };
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (response.status === 401) throw new SignedOut();
    let json = null;
    try { json = await response.json(); } catch { /* an empty or non-JSON body */ }
    return { status: response.status, ok: response.ok, json };
  }

  // The draft's image (GET /status names it by path): fetched with the same credentials.
  async function imageUrl(path) {
    const headers = state.token ? { Authorization: `Bearer ${state.token}` } : {};
    const response = await fetch(path, { headers, credentials: 'same-origin' });
    if (!response.ok) return '';
    return URL.createObjectURL(await response.blob());
  }

  // --- notices --------------------------------------------------------------------------------

  function notice(text) { $('notice').textContent = text || ''; }

  function alertBox(text, retry) {
    const box = $('alert');
    box.replaceChildren();
    if (!text) { box.hidden = true; return; }
    box.append(el('p', { text }));
    if (retry) box.append(el('button', { type: 'button', className: 'secondary', text: t().retry, onclick: retry }));
    box.hidden = false;
  }

  // --- loading the state ----------------------------------------------------------------------

  async function loadStatus() {
    const reply = await api('GET', '/api/onboarding/status');
    if (!reply.ok) throw new Error(reply.json?.message || t().error);
    state.status = reply.json;
    state.draft = structuredClone(reply.json.session?.formData || {});
    state.organization = reply.json.organization || state.organization;
    const logo = state.draft.company?.logo;
    if (typeof logo === 'string' && logo && logo !== state.logo) {
      state.logo = logo;
      state.logoPreview = logo.startsWith('data:') ? logo : await imageUrl(logo);
    }
  }

  async function boot() {
    readToken();
    readLanguage();
    applyLanguage();
    $('language').addEventListener('click', () => {
      state.lang = state.lang === 'es' ? 'en' : 'es';
      localStorage.setItem(LANGUAGE_KEY, state.lang);
      applyLanguage();
      render(state.currentStep, { focus: false });
    });
    window.addEventListener('popstate', () => show(stepFromPath(), { push: false }));
    try {
      const config = await api('GET', '/api/onboarding/config');
      state.config = config.json;
      state.flow = state.config.flows.find((f) => f.id === state.config.defaultFlow);
      await loadStatus();
      if (state.config.featureFlags?.aiSuggestions) {
        const prefs = await api('GET', '/api/ai/preferences');
        state.aiEnabled = prefs.ok && prefs.json?.enabled !== false;
      }
      const resumed = state.status.status === 'in_progress' && stepFromPath() === '';
      await show(stepFromPath(), { push: false });
      if (resumed) notice(t().resumed);
    } catch (error) {
      failed(error, boot);
    }
  }

  function failed(error, retry) {
    if (error instanceof SignedOut) { signedOut(); return; }
    alertBox(error?.message || t().error, retry);
  }

  function signedOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    $('progress-nav').hidden = true;
    const view = $('view');
    view.replaceChildren(el('div', { className: 'card' },
      el('h1', { text: t().signedOutTitle, tabindex: '-1', id: 'view-title' }),
      el('p', { text: t().signedOutBody }),
      el('p', { className: 'hint', text: t().signedOutDev })));
    state.currentStep = 'signed-out';
  }

  // --- navigation -----------------------------------------------------------------------------

  function stepFromPath() {
    return location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '';
  }

  const stepById = (id) => state.flow.steps.find((s) => s.id === id);

  // The step the user may see: completed users see the organization; others at most the
  // step the server says comes next (or any step before it).
  function allowedStep(requested) {
    if (state.status.status === 'completed') return 'complete';
    const next = state.status.progress?.nextStep || state.flow.steps[0];
    const wanted = stepById(requested);
    if (!wanted || wanted.number > next.number) return next.id;
    return wanted.id;
  }

  async function show(requested, { push = true } = {}) {
    notice('');
    const id = allowedStep(requested);
    const path = BASE + id;
    if (location.pathname !== path) {
      if (push) history.pushState(null, '', path);
      else history.replaceState(null, '', path);
    }
    render(id, { focus: true });
  }

  function renderProgress(current) {
    const list = $('progress');
    list.replaceChildren();
    const done = new Set(state.status.progress?.completedSteps || []);
    const completed = state.status.status === 'completed';
    for (const step of state.flow.steps) {
      const item = el('li', { text: localized(step.title) });
      if (completed || done.has(step.number)) item.classList.add('done');
      if (step.id === current.id) item.setAttribute('aria-current', 'step');
      list.append(item);
    }
    $('progress-nav').hidden = false;
  }

  function render(id, { focus }) {
    if (!state.flow || !id || id === 'signed-out') { if (id === 'signed-out') signedOut(); return; }
    const step = stepById(id);
    state.currentStep = id;
    alertBox('');
    renderProgress(step);
    const view = $('view');
    if (state.status.status === 'completed' || (step.final && state.organization)) {
      view.replaceChildren(organizationView());
    } else if (step.final || step.fields.length === 0) {
      view.replaceChildren(reviewView(step));
    } else {
      view.replaceChildren(stepForm(step));
    }
    if (focus) $('view-title')?.focus();
  }

  // --- a step's form, from the catalog's fields -----------------------------------------------

  function valueLabel(key, value) {
    if (key === 'industry') {
      const industry = state.config.enums.industries.find((i) => i.id === value);
      if (industry) return localized(industry.name);
    }
    if (key === 'size') {
      const size = state.config.enums.companySizes.find((s) => s.id === value);
      if (size) return localized(size.label);
    }
    return VALUE_LABELS[state.lang][key]?.[value] ?? PROPER_NAMES[value] ?? value;
  }

  function fieldControl(step, field, value) {
    const id = `f-${field.key}`;
    const errorId = `e-${field.key}`;
    const common = { id, name: field.key, 'aria-describedby': errorId,
      'aria-required': field.required ? 'true' : false, required: field.required };
    const label = localized(field.label);
    const wrap = (control, hint) => el('div', { className: 'field', 'data-field': field.key },
      el('label', { for: id, text: label }),
      hint ? el('span', { className: 'hint', id: `h-${field.key}`, text: hint }) : null,
      control,
      el('p', { className: 'error', id: errorId, hidden: true }));

    switch (field.type) {
      case 'enum': {
        const select = el('select', common, el('option', { value: '', text: t().choose }));
        for (const v of field.values) {
          select.append(el('option', { value: v, text: valueLabel(field.key, v), selected: v === value }));
        }
        return wrap(select);
      }
      case 'integer':
        return wrap(el('input', { ...common, type: 'number', inputmode: 'numeric', min: field.min,
          max: field.max, step: 1, value: value ?? field.default ?? '' }));
      case 'enumList': {
        const chosen = new Set(Array.isArray(value) ? value : []);
        const box = el('fieldset', { className: 'field', 'data-field': field.key, 'aria-describedby': errorId, id },
          el('legend', { text: label }));
        const checks = el('div', { className: 'checks' });
        for (const v of field.values) {
          checks.append(el('label', {}, el('input', { type: 'checkbox', name: field.key, value: v,
            checked: chosen.has(v) }), valueLabel(field.key, v)));
        }
        box.append(checks, el('p', { className: 'error', id: errorId, hidden: true }));
        return box;
      }
      case 'departments': {
        const names = (Array.isArray(value) ? value : []).map((d) => (typeof d === 'string' ? d : d?.name)).filter(Boolean);
        return wrap(el('textarea', { ...common, rows: 4, 'aria-describedby': `h-${field.key} ${errorId}`,
          text: names.join('\n') }), t().departmentsHint);
      }
      case 'image':
        return logoField(field, common, wrap);
      default: {
        const long = (field.maxLength || 0) > 200;
        const control = long
          ? el('textarea', { ...common, rows: 4, maxlength: field.maxLength, text: value ?? '' })
          : el('input', { ...common, type: 'text', value: value ?? '', autocomplete: field.key === 'name' ? 'organization' : 'off' });
        return wrap(control);
      }
    }
  }

  function logoField(field, common, wrap) {
    const input = el('input', { ...common, type: 'file', accept: (field.contentTypes || []).join(','),
      'aria-describedby': `h-${field.key} ${common['aria-describedby']}` });
    const image = el('img', { alt: t().logoPreview, id: 'logo-preview', src: state.logoPreview || false });
    const remove = el('button', { type: 'button', className: 'link-button', text: t().logoRemove });
    const preview = el('div', { className: 'logo-preview', hidden: !state.logoPreview }, image, remove);
    const node = wrap(input, t().logoHint);
    node.append(preview);
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      fieldError(field.key, '');
      if (!file) return;
      if (!(field.contentTypes || []).includes(file.type)) { fieldError(field.key, t().logoType); input.value = ''; return; }
      if (field.maxBytes && file.size > field.maxBytes) { fieldError(field.key, t().logoSize); input.value = ''; return; }
      const reader = new FileReader();
      reader.addEventListener('load', () => {
        state.logo = String(reader.result);
        state.logoPreview = state.logo;
        image.src = state.logoPreview;
        preview.hidden = false;
      });
      reader.readAsDataURL(file);
    });
    remove.addEventListener('click', () => {
      state.logo = '';
      state.logoPreview = '';
      image.removeAttribute('src');
      preview.hidden = true;
      input.value = '';
      input.focus();
    });
    return node;
  }

  function collect(step, form) {
    const data = {};
    for (const field of step.fields) {
      const key = field.key;
      switch (field.type) {
        case 'boolean':
          data[key] = true;  // hasSeenWelcome: they are looking at it
          break;
        case 'integer': {
          const raw = form.elements[key].value.trim();
          if (raw !== '') data[key] = Number(raw);
          break;
        }
        case 'enumList':
          data[key] = [...form.querySelectorAll(`input[name="${key}"]:checked`)].map((c) => c.value);
          break;
        case 'departments':
          data[key] = form.elements[key].value.split('\n').map((s) => s.trim()).filter(Boolean);
          break;
        case 'image':
          data[key] = state.logo;
          break;
        default:
          data[key] = form.elements[key].value.trim();
      }
    }
    return data;
  }

  function fieldError(key, message) {
    const error = $(`e-${key}`);
    if (!error) return false;
    error.textContent = message;
    error.hidden = !message;
    const control = $(`f-${key}`);
    if (control) {
      if (message) control.setAttribute('aria-invalid', 'true');
      else control.removeAttribute('aria-invalid');
    }
    return true;
  }

  // The server's details ("company.name": "...") next to their fields; the first one focused.
  function showErrors(step, reply) {
    for (const field of step.fields) fieldError(field.key, '');
    const unplaced = [];
    let first = null;
    for (const detail of reply.json?.details || []) {
      const parts = String(detail.path || '').split('.');
      const key = parts[0] === step.id ? parts[1] : parts[0];
      if (fieldError(key, detail.message)) first ??= $(`f-${key}`);
      else unplaced.push(detail.message);
    }
    alertBox([reply.json?.message || t().error, ...unplaced].join(' '));
    notice(t().fixErrors);
    first?.focus();
  }

  function stepForm(step) {
    const values = state.draft[step.id] || {};
    const form = el('form', { className: 'card', novalidate: true, 'aria-labelledby': 'view-title' },
      el('p', { className: 'hint', text: t().stepOf(step.number, state.flow.totalSteps) }),
      el('h1', { id: 'view-title', tabindex: '-1', text: localized(step.title) }),
      step.description ? el('p', { className: 'lead', text: localized(step.description) }) : null);
    for (const field of step.fields) {
      if (field.type === 'boolean') continue;
      if (step.id === 'company' && field.key === 'industry' && state.aiEnabled) form.append(aiPanel(form));
      form.append(fieldControl(step, field, values[field.key]));
    }
    // A custom role's text only matters for the "custom" role.
    const role = form.elements?.role;
    const custom = form.querySelector('[data-field="customRole"]');
    if (role && custom) {
      const sync = () => { custom.hidden = role.value !== 'custom'; };
      role.addEventListener('change', sync);
      sync();
    }
    const previous = state.flow.steps.find((s) => s.number === step.number - 1);
    const actions = el('div', { className: 'actions' });
    if (previous) actions.append(el('button', { type: 'button', className: 'secondary', text: t().back, onclick: () => show(previous.id) }));
    if (step.skippable) actions.append(el('button', { type: 'button', className: 'secondary', text: t().skipStep, onclick: () => advance(step) }));
    const submit = el('button', { type: 'submit', className: 'primary', text: t().next });
    actions.append(submit);
    form.append(actions);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      submit.disabled = true;
      submit.textContent = t().saving;
      notice('');
      try {
        const reply = await api('POST', '/api/onboarding/step', { step: step.number, data: collect(step, form) });
        if (reply.ok) {
          state.draft[step.id] = reply.json.data;
          await loadStatus();
          await advance(step);
          notice(t().saved);
          return;
        }
        showErrors(step, reply);
      } catch (error) {
        failed(error, null);
      }
      submit.disabled = false;
      submit.textContent = t().next;
    });
    return form;
  }

  async function advance(step) {
    const next = state.flow.steps.find((s) => s.number === step.number + 1);
    if (!next) return;
    // A skipped step: the server's next step may still be this one; the review may come next.
    if (stepById(allowedStep(next.id)).number < next.number) {
      state.status.progress.nextStep = { number: next.number, id: next.id };
    }
    await show(next.id);
  }

  // --- AI: a suggested industry, accepted, declined or modified (and the choice recorded) ---

  function aiPanel(form) {
    const result = el('div', { hidden: true, id: 'ai-result' });
    const button = el('button', { type: 'button', className: 'secondary', id: 'ai-suggest', text: t().aiSuggest });
    const panel = el('section', { className: 'ai', 'aria-labelledby': 'ai-title' },
      el('h2', { id: 'ai-title', text: t().aiTitle }),
      el('p', { className: 'hint', text: t().aiHint }),
      button, result);
    button.addEventListener('click', async () => {
      const name = form.elements.name.value.trim();
      if (!name) { notice(''); fieldError('name', t().aiNeedsName); form.elements.name.focus(); return; }
      button.disabled = true;
      button.textContent = t().aiWorking;
      try {
        const reply = await api('POST', '/api/onboarding/ai/suggest',
          { company_name: name, description: form.elements.description?.value.trim() || '' });
        if (reply.ok && reply.json?.suggested_industry) showSuggestion(form, result, reply.json.suggested_industry);
        else alertBox(reply.json?.message || t().error);
      } catch (error) {
        failed(error, null);
      }
      button.disabled = false;
      button.textContent = t().aiSuggest;
    });
    return panel;
  }

  function showSuggestion(form, result, suggestion) {
    const industrySelect = form.elements.industry;
    const decide = async (decision, value) => {
      const body = value === undefined ? { decision } : { decision, value };
      const reply = await api('POST', `/api/ai/suggestions/${encodeURIComponent(suggestion.suggestion_id)}/decision`, body);
      if (!reply.ok) { alertBox(reply.json?.message || t().error); return; }
      result.hidden = true;
      notice({ accepted: t().aiAccepted, declined: t().aiDeclined, modified: t().aiModified }[decision]);
      $('ai-suggest').focus();
    };
    const modifySelect = el('select', { id: 'ai-modify-select' });
    for (const industry of state.config.enums.industries) {
      modifySelect.append(el('option', { value: industry.id, text: localized(industry.name), selected: industry.id === suggestion.id }));
    }
    const modifyBox = el('div', { className: 'field', hidden: true },
      el('label', { for: 'ai-modify-select', text: t().aiModifyLabel }), modifySelect,
      el('div', { className: 'choice' }, el('button', { type: 'button', className: 'primary', id: 'ai-apply', text: t().aiApply,
        onclick: () => {
          industrySelect.value = modifySelect.value;
          fieldError('industry', '');
          decide('modified', modifySelect.value);
        } })));
    result.replaceChildren(
      el('p', { className: 'result' }, `${t().aiSuggested} `, el('strong', { id: 'ai-industry', text: suggestion.name }),
        ` (${suggestion.confidence}\u00a0%)`),
      suggestion.rationale ? el('p', { className: 'hint', text: suggestion.rationale }) : null,
      el('div', { className: 'choice' },
        el('button', { type: 'button', className: 'primary', id: 'ai-accept', text: t().aiAccept,
          onclick: () => { industrySelect.value = suggestion.id; fieldError('industry', ''); decide('accepted'); } }),
        el('button', { type: 'button', className: 'secondary', id: 'ai-decline', text: t().aiDecline,
          onclick: () => decide('declined') }),
        el('button', { type: 'button', className: 'secondary', id: 'ai-modify', text: t().aiModify,
          onclick: () => { modifyBox.hidden = false; modifySelect.focus(); } })),
      modifyBox);
    result.hidden = false;
    $('ai-accept').focus();
  }

  // --- review, completion, the organization ---------------------------------------------------

  function summaryRows(pairs) {
    const list = el('dl', { className: 'summary' });
    for (const [term, value] of pairs) list.append(el('dt', { text: term }), el('dd', { text: value || t().none }));
    return list;
  }

  function departmentNames(list) {
    return (Array.isArray(list) ? list : []).map((d) => (typeof d === 'string' ? d : d?.name)).filter(Boolean).join(', ');
  }

  function reviewView(step) {
    const welcome = state.draft.welcome || {};
    const company = state.draft.company || {};
    const organization = state.draft.organization || {};
    const f = t().fields;
    const button = el('button', { type: 'button', className: 'primary', id: 'finish', text: t().finish });
    const previous = state.flow.steps.find((s) => s.number === step.number - 1);
    const card = el('div', { className: 'card' },
      el('p', { className: 'hint', text: t().stepOf(step.number, state.flow.totalSteps) }),
      el('h1', { id: 'view-title', tabindex: '-1', text: t().reviewTitle }),
      el('p', { className: 'lead', text: t().reviewLead }),
      state.logoPreview ? el('img', { className: 'org-logo', src: state.logoPreview, alt: f.logo }) : null,
      summaryRows([
        [f.role, welcome.role && valueLabel('role', welcome.role)],
        [localized(stepById('company').fields.find((x) => x.key === 'name')?.label) || 'Name', company.name],
        [f.industry, company.industry && valueLabel('industry', company.industry)],
        [f.size, company.size && valueLabel('size', company.size)],
        [f.teamSize, organization.teamSize && String(organization.teamSize)],
        [f.departments, departmentNames(organization.departments)],
        [f.integrations, (organization.integrations || []).map((v) => valueLabel('integrations', v)).join(', ')],
      ]),
      el('div', { className: 'actions' },
        previous ? el('button', { type: 'button', className: 'secondary', text: t().back, onclick: () => show(previous.id) }) : null,
        button));
    button.addEventListener('click', async () => {
      button.disabled = true;
      button.textContent = t().finishing;
      try {
        // The sections come from the saved draft (SPEC §4.1): nothing is sent twice.
        const reply = await api('POST', '/api/onboarding/complete', { data: {} });
        if (reply.ok) {
          state.organization = reply.json.organization || state.organization;
          await loadStatus();
          await show('complete', { push: false });
          return;
        }
        const missing = (reply.json?.details || []).map((d) => d.message).join(' ');
        alertBox(`${reply.json?.message || t().error} ${missing}`.trim());
      } catch (error) {
        failed(error, null);
      }
      button.disabled = false;
      button.textContent = t().finish;
    });
    return card;
  }

  function organizationView() {
    const org = state.organization || {};
    const f = t().fields;
    return el('div', { className: 'card', id: 'organization' },
      el('h1', { id: 'view-title', tabindex: '-1', text: t().completeTitle }),
      el('p', { className: 'lead', text: t().completeLead }),
      state.logoPreview ? el('img', { className: 'org-logo', src: state.logoPreview, alt: f.logo }) : null,
      summaryRows([
        [f.organization, org.name],
        [f.slug, org.slug],
        [f.industry, org.industry && valueLabel('industry', org.industry)],
        [f.size, org.size && valueLabel('size', org.size)],
        [f.teamSize, org.teamSize && String(org.teamSize)],
        [f.integrations, (org.integrations || []).map((v) => valueLabel('integrations', v)).join(', ')],
      ]));
  }

  document.addEventListener('DOMContentLoaded', boot);
})();
