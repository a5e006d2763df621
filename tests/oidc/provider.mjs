// A real OpenID provider for the staff sign-in tests: panva's oidc-provider with a few test
// accounts, a plain sign-in page (no password: it stands for the council's own sign-in) and two
// test-only controls. Started by tests/oidc/conftest.py; prints "ready" once it is listening.
//
// Environment: PORT, REDIRECT_URIS and POST_LOGOUT_REDIRECT_URIS (comma-separated), JWKS_FILE
// (the signing key the tests made, so they can also sign tokens "as the provider"), and
// CLOCK_START (epoch seconds: the tests' frozen clock, so tokens are issued in the same time).
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const realNow = Date.now.bind(Date);
const offset = process.env.CLOCK_START ? Number(process.env.CLOCK_START) * 1000 - realNow() : 0;
Date.now = () => realNow() + offset;

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const list = (name) => (process.env[name] || '').split(',').filter(Boolean);

const ACCOUNTS = {
  admin: { name: 'Alex Admin', email: 'alex.admin@council.example', groups: ['belonging-admins'] },
  worker: { name: 'Pat Worker', email: 'pat.worker@council.example', groups: ['belonging-participation', 'all-staff'] },
  newcomer: { name: 'Sam Newcomer', email: 'sam.newcomer@council.example', groups: ['all-staff'] },
};

const page = (title, body) => `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>${title}</title></head><body><main><h1>${title}</h1>${body}</main></body></html>`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'belonging',
    client_secret: 'test-client-secret',
    redirect_uris: list('REDIRECT_URIS'),
    post_logout_redirect_uris: list('POST_LOGOUT_REDIRECT_URIS'),
    response_types: ['code'],
    grant_types: ['authorization_code'],
  }],
  jwks: JSON.parse(readFileSync(process.env.JWKS_FILE, 'utf8')),
  cookies: { keys: ['test-only-cookie-key'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
  conformIdTokenClaims: false, // put email, name and groups in the id token, as Entra ID does
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page('Sign out of the council', `${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>`);
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() { return { sub: id, email_verified: true, ...account }; },
    };
  },
});
provider.proxy = false;

// Test-only: the next token response carries a changed id token, to prove the app refuses it.
// {"claims": {...}} changes the payload and keeps the signature (a tampered token);
// {"token": "..."} replaces it with one the test signed (a rogue key, or a wrong nonce).
let nextIdToken = null;

async function readBody(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

provider.use(async (ctx, next) => {
  if (ctx.method === 'POST' && ctx.path === '/test/next-id-token') {
    nextIdToken = JSON.parse(await readBody(ctx.req));
    ctx.status = 204;
    return;
  }
  const match = ctx.path.match(/^\/interaction\/([\w-]+)$/);
  if (match && ctx.method === 'GET') {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    ctx.type = 'html';
    ctx.body = page('Sign in to the council', `<form method="post" action="/interaction/${details.uid}">
<label for="login">Username</label> <input id="login" name="login" autocomplete="username">
<button type="submit">Continue</button></form>`);
    return;
  }
  if (match && ctx.method === 'POST') {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const accountId = new URLSearchParams(await readBody(ctx.req)).get('login');
    if (!ACCOUNTS[accountId]) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = page('Sign in to the council', '<p>There is no such user.</p>');
      return;
    }
    const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope);
    const grantId = await grant.save();
    await provider.interactionFinished(ctx.req, ctx.res,
      { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
    return;
  }
  await next();
  // The provider's clock is the tests' (months from the browser's real one): its cookies must
  // not carry an expiry date, or the browser would drop them at once. Its server-side expiry
  // still holds.
  const cookies = ctx.response.get('Set-Cookie');
  if (cookies && cookies.length) {
    ctx.set('Set-Cookie', [].concat(cookies).map((c) => c.replace(/;\s*(expires|max-age)=[^;]*/gi, '')));
  }
  if (ctx.path === '/token' && ctx.status === 200 && nextIdToken && ctx.body && ctx.body.id_token) {
    if (nextIdToken.token) {
      ctx.body.id_token = nextIdToken.token;
    } else {
      const [header, payload, signature] = ctx.body.id_token.split('.');
      const claims = { ...JSON.parse(Buffer.from(payload, 'base64url')), ...nextIdToken.claims };
      ctx.body.id_token = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
    }
    nextIdToken = null;
  }
});

provider.listen(port, '127.0.0.1', () => { console.log('ready'); });
