// The Node peer of bench/run (issue 15): POST /api/onboarding/step written the way a typical
// Node backend would write it — fastify, node-postgres, one process per core — doing the same
// work as onboardd's route: verify the HS256 dev token, validate the step against SPEC §4.1's
// rules, and save it through the same SQL (the identity settings and
// onboardd_private.save_step, in one transaction, as the app role under RLS).
// Bench only; never part of the product.
//
//   PORT=8081 DATABASE_URL=... AUTH_DEV_SECRET=... WORKERS=2 POOL=32 node bench/node-peer/server.js
'use strict';

const cluster = require('node:cluster');
const crypto = require('node:crypto');
const os = require('node:os');

const workers = Number(process.env.WORKERS || os.availableParallelism());
if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', (worker, code) => {
    if (code !== 0) process.exitCode = 1;
  });
  process.on('SIGTERM', () => {
    for (const id in cluster.workers) cluster.workers[id].kill('SIGTERM');
  });
  return;
}

const fastify = require('fastify')({ logger: false, bodyLimit: 3 * 1024 * 1024 });
const { Pool } = require('pg');

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.POOL || 32),
});
const secret = Buffer.from(process.env.AUTH_DEV_SECRET || '', 'utf8');

function fail(reply, status, code, message) {
  return reply.code(status).send({
    success: false, error: message, code, message,
    timestamp: new Date().toISOString(),
  });
}

// The dev token: header.claims.mac, HMAC-SHA256 over "header.claims" with the dev secret.
function verify(authorization) {
  if (!authorization || !authorization.startsWith('Bearer ')) return null;
  const parts = authorization.slice(7).split('.');
  if (parts.length !== 3) return null;
  const mac = crypto.createHmac('sha256', secret).update(parts[0] + '.' + parts[1]).digest();
  const given = Buffer.from(parts[2], 'base64url');
  if (given.length !== mac.length || !crypto.timingSafeEqual(given, mac)) return null;
  let claims;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof claims.sub !== 'string' || !claims.sub) return null;
  if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) return null;
  return claims;
}

const enums = {
  role: ['ceo', 'manager', 'team_lead', 'individual', 'custom'],
  experienceLevel: ['beginner', 'intermediate', 'advanced'],
  industry: ['technology', 'finance', 'healthcare', 'education', 'retail', 'manufacturing',
    'consulting', 'marketing', 'real_estate', 'food_beverage', 'transportation', 'energy',
    'media', 'nonprofit', 'government', 'other'],
  size: ['startup', 'small', 'medium', 'large', 'enterprise'],
};
const stepIds = { 1: 'welcome', 2: 'company', 3: 'organization' };

// SPEC §4.1's rules per step; the errors as {path, message}.
function validate(step, data) {
  const errors = [];
  const text = (key, min, max, required) => {
    const v = data[key];
    if (v === undefined || v === null || v === '') {
      if (required) errors.push({ path: key, message: 'required' });
      return;
    }
    if (typeof v !== 'string' || v.length < min || v.length > max) {
      errors.push({ path: key, message: `between ${min} and ${max} characters` });
    }
  };
  const oneOf = (key, values, required) => {
    const v = data[key];
    if (v === undefined || v === null || v === '') {
      if (required) errors.push({ path: key, message: 'required' });
      return;
    }
    if (!values.includes(v)) errors.push({ path: key, message: 'not allowed' });
  };
  if (step === 1) {
    oneOf('role', enums.role, true);
    text('customRole', 0, 100, false);
    oneOf('experienceLevel', enums.experienceLevel, false);
    if (data.hasSeenWelcome !== undefined && typeof data.hasSeenWelcome !== 'boolean') {
      errors.push({ path: 'hasSeenWelcome', message: 'a boolean' });
    }
  } else if (step === 2) {
    text('name', 2, 100, true);
    oneOf('industry', enums.industry, true);
    oneOf('size', enums.size, true);
    text('description', 0, 500, false);
    text('logo', 0, 3 * 1024 * 1024, false);
  } else {
    const t = data.teamSize;
    if (t !== undefined && (!Number.isInteger(t) || t < 1 || t > 100000)) {
      errors.push({ path: 'teamSize', message: 'an integer from 1' });
    }
    for (const key of ['structure', 'methodology', 'collaborationStyle']) text(key, 0, 50, false);
    for (const key of ['integrations', 'departments']) {
      const v = data[key];
      if (v !== undefined && (!Array.isArray(v) || v.length > 50)) {
        errors.push({ path: key, message: 'a list of at most 50' });
      }
    }
  }
  return errors;
}

const saveStep =
  'select saved_session, saved_version, saved_step, saved_percentage, session_created ' +
  'from onboardd_private.save_step($1::uuid, $2, $3::int, $4::int, $5::int, $6, $7::jsonb)';

fastify.post('/api/onboarding/step', async (request, reply) => {
  const claims = verify(request.headers.authorization);
  if (!claims) return fail(reply, 401, 'UNAUTHENTICATED', 'Authentication required');
  const body = request.body;
  const step = body && body.step;
  if (!Number.isInteger(step) || !stepIds[step] || typeof body.data !== 'object' ||
      body.data === null || Array.isArray(body.data)) {
    return fail(reply, 400, 'VALIDATION_ERROR', 'step must be 1, 2 or 3 with a data object');
  }
  const errors = validate(step, body.data);
  if (errors.length) {
    return reply.code(400).send({ success: false, code: 'VALIDATION_ERROR', details: errors });
  }
  const requestId = crypto.randomUUID();
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(
      "select set_config('app.user_id', $1, true), set_config('app.request_id', $2, true)",
      [claims.sub, requestId]);
    const saved = await client.query(saveStep, [crypto.randomUUID(), 'wizard', 4, 168, step,
      stepIds[step], JSON.stringify(body.data)]);
    await client.query('commit');
    const row = saved.rows[0];
    if (!row) return fail(reply, 500, 'INTERNAL_ERROR', 'not saved');
    return {
      success: true,
      sessionId: row.saved_session,
      currentStep: row.saved_step,
      completionPercentage: row.saved_percentage,
      step,
      data: body.data,
    };
  } catch (error) {
    await client.query('rollback').catch(() => {});
    return fail(reply, 503, 'UNAVAILABLE', 'database');
  } finally {
    client.release();
  }
});

fastify.listen({ host: '127.0.0.1', port: Number(process.env.PORT || 8081) }).catch((error) => {
  console.error(error);
  process.exit(1);
});
process.on('SIGTERM', () => fastify.close().then(() => pool.end()).then(() => process.exit(0)));
