// A real OpenID Connect provider for the tests (oidc-provider 8), on 127.0.0.1 only.
//
//   node server.mjs [--port 0] [--redirect-uris URI,URI] [--post-logout-redirect-uris URI,URI]
//                   [--access-token-ttl SECONDS]
//
// The same settings can come from OIDC_PORT, OIDC_REDIRECT_URIS, OIDC_POST_LOGOUT_REDIRECT_URIS
// and OIDC_ACCESS_TOKEN_TTL; the command line wins. Port 0 picks a free port. Once it accepts
// connections it prints one line to stdout: `listening http://127.0.0.1:<port>` (the issuer).
//
// What it serves (tests/services/oidc_provider.py relies on all of it):
// - the accounts in accounts.json, signed in by login name on the built-in development login
//   form (any password); an unknown login name ends the request with `access_denied`;
// - one public client, `ragchat-spa`: code flow with PKCE S256, refresh tokens, no secret,
//   CORS for the origins of its redirect URIs, RP-initiated logout;
// - access tokens for the one API, `api://ragchat` (the default resource, so clients need not
//   send `resource`): RS256 JWTs with `name` and `groups`; ID tokens carry them too;
// - consent granted automatically: no consent page;
// - the logout confirmation submitted automatically: no "Yes, sign me out" click.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider, { errors } from 'oidc-provider';

const CLIENT_ID = 'ragchat-spa';
const API = 'api://ragchat';
const HOST = '127.0.0.1';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.OIDC_PORT ?? '0' },
    'redirect-uris': { type: 'string', default: process.env.OIDC_REDIRECT_URIS ?? '' },
    'post-logout-redirect-uris': {
      type: 'string',
      default: process.env.OIDC_POST_LOGOUT_REDIRECT_URIS ?? '',
    },
    'access-token-ttl': { type: 'string', default: process.env.OIDC_ACCESS_TOKEN_TTL ?? '3600' },
  },
});

const list = (value) => value.split(',').map((item) => item.trim()).filter(Boolean);
const redirectUris = list(args['redirect-uris']);
const postLogoutRedirectUris = list(args['post-logout-redirect-uris']);
const port = Number(args.port);
const accessTokenTTL = Number(args['access-token-ttl']);
const usage = (message) => {
  console.error(`server.mjs: ${message}`);
  process.exit(2);
};
if (!redirectUris.length) usage('no redirect URIs: pass --redirect-uris or set OIDC_REDIRECT_URIS');
if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`bad port: ${args.port}`);
if (!Number.isInteger(accessTokenTTL) || accessTokenTTL < 1) usage(`bad access token TTL: ${args['access-token-ttl']}`);

// Login name -> account; the login name is not the subject, so nothing mixes the two up.
const logins = JSON.parse(readFileSync(new URL('./accounts.json', import.meta.url), 'utf8'));
const accounts = new Map(Object.entries(logins).map(([login, user]) => [user.sub, { login, ...user }]));
const subjectOf = (login) => (Object.hasOwn(logins, login) ? logins[login].sub : undefined);

const escapeHtml = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;

// A fresh signing key per run: a test that passes has read the keys from the JWKS.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }), kid: `test-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig',
};

// Until the provider exists (it needs the issuer, hence the port), requests get a 503.
let handle = (req, res) => { res.statusCode = 503; res.end(); };
const server = createServer((req, res) => handle(req, res));
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, HOST, resolve);
});
const issuer = `http://${HOST}:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: CLIENT_ID,
    client_name: 'ragchat (tests)',
    application_type: 'web',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: redirectUris,
    post_logout_redirect_uris: postLogoutRedirectUris,
  }],
  responseTypes: ['code'],
  jwks: { keys: [signingKey] },
  cookies: {
    keys: [randomBytes(32).toString('hex')],
    // `SameSite=None` needs `Secure`, which an http issuer cannot set; browsers would drop it.
    long: { httpOnly: true, sameSite: 'lax' },
    short: { httpOnly: true, sameSite: 'lax' },
  },
  claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'groups'] },
  // Put the profile claims in the ID token too (the code flow would keep them for /userinfo).
  conformIdTokenClaims: false,
  async findAccount(ctx, sub) {
    const account = accounts.get(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub, name: account.name, preferred_username: account.login, groups: account.groups,
        };
      },
    };
  },
  async extraTokenClaims(ctx, token) {
    const account = accounts.get(token.accountId);
    return account ? { name: account.name, groups: account.groups } : undefined;
  },
  // Public SPA clients get refresh tokens without `offline_access` (which needs prompt=consent).
  async issueRefreshToken(ctx, client) {
    return client.grantTypeAllowed('refresh_token');
  },
  // Consent is granted automatically: the grant is topped up with whatever is requested.
  async loadExistingGrant(ctx) {
    const { oidc } = ctx;
    const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
    const grant = (grantId && await oidc.provider.Grant.find(grantId))
      || new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
    grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
    grant.addOIDCClaims([...oidc.requestParamClaims]);
    for (const [indicator, resourceServer] of Object.entries(oidc.resourceServers)) {
      const scopes = [...oidc.requestParamScopes].filter((scope) => resourceServer.scopes.has(scope));
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    await grant.save();
    return grant;
  },
  clientBasedCORS(ctx, origin, client) {
    const uris = [...client.redirectUris, ...(client.postLogoutRedirectUris ?? [])];
    return uris.some((uri) => new URL(uri).origin === origin);
  },
  pkce: { methods: ['S256'], required: () => true },
  ttl: {
    AccessToken: accessTokenTTL,
    AuthorizationCode: 60,
    IdToken: 3600,
    RefreshToken: 24 * 3600,
    Interaction: 3600,
    Session: 24 * 3600,
    Grant: 24 * 3600,
  },
  features: {
    devInteractions: { enabled: true },
    // Every access token is for the API: the SPA reads the profile from the ID token.
    userinfo: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => API,
      useGrantedResource: () => true,
      getResourceServerInfo(ctx, indicator) {
        if (indicator !== API) throw new errors.InvalidTarget();
        return {
          audience: API,
          accessTokenFormat: 'jwt',
          // The SPA's scopes: the token (and the token response) then say "openid profile".
          scope: 'openid profile',
          accessTokenTTL,
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
    rpInitiatedLogout: {
      enabled: true,
      // Submit the confirmation form at once: signing out takes no click.
      async logoutSource(ctx, form) {
        const autoSubmit = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>');
        ctx.body = page('Signing out', `${autoSubmit}
<button type="submit" form="op.logoutForm">Sign out</button>
<script>document.forms[0].submit()</script>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Signed out', '<p>You are signed out.</p>');
      },
    },
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Sign-in error', Object.entries(out)
      .map(([key, value]) => `<p><strong>${escapeHtml(key)}</strong>: ${escapeHtml(value)}</p>`).join(''));
  },
});

// The development login form accepts any login name and makes an account of it; here only the
// known ones sign in. Only the login prompt is handled; anything else goes on to oidc-provider.
provider.use(async (ctx, next) => {
  if (ctx.method !== 'POST' || !/^\/interaction\/[^/]+$/.test(ctx.path)) return next();
  let details;
  try {
    details = await provider.interactionDetails(ctx.req, ctx.res);
  } catch {
    return next(); // an expired or unknown interaction: oidc-provider renders the error
  }
  if (details.prompt.name !== 'login') return next();
  const form = new URLSearchParams(await readBody(ctx.req));
  const sub = subjectOf(form.get('login') ?? '');
  const result = sub
    ? { login: { accountId: sub } }
    : { error: 'access_denied', error_description: 'unknown user' };
  await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.respond = false; // interactionFinished has written the 303 itself
  return undefined;
});

// The development pages import a web font from fonts.googleapis.com; tests run offline.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.method === 'GET' && ctx.path.startsWith('/interaction/') && typeof ctx.body === 'string') {
    ctx.body = ctx.body.replace(/@import url\(https:\/\/fonts\.googleapis\.com[^)]*\);/g, '');
  }
});

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

handle = provider.callback();
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
console.log(`listening ${issuer}`);
