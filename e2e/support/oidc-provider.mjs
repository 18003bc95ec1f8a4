#!/usr/bin/env node
// The e2e suite's identity provider: a real OpenID Provider (the `oidc-provider` package) on
// 127.0.0.1, so the suite signs in through the same authorization-code + PKCE flow, discovery
// document, signed ID token and login form a real IdP uses. Started by playwright.config.ts
// (`webServer`) before the app; it keeps everything in memory and forgets it on exit.
//   JOBDECK_E2E_OIDC_PORT (3190)       where it listens; the issuer is http://127.0.0.1:<port>
//   JOBDECK_E2E_OIDC_CLIENT_ID/SECRET  the one client, Jobdeck
//   JOBDECK_E2E_OIDC_REDIRECT_URIS     comma-separated <app>/api/auth/callback/oidc URIs
//   JOBDECK_E2E_OIDC_GROUPS            how `groups` is released, as providers differ:
//     profile (default)  with the profile scope, in the ID token (the suite's usual provider)
//     scope              only when the `groups` scope is asked for (listed in scopes_supported)
//     userinfo           with the profile scope, but (like email and name) only from the userinfo
//                        endpoint, never in the ID token (oidc-provider's conformIdTokenClaims)
// Accounts and their groups are in oidc-accounts.json (one password for all); the login form is
// oidc-provider's built-in development form, and a login that is not in that file, or a wrong
// password, gets the form again.
import { readFileSync } from "node:fs";
import * as querystring from "node:querystring";
import Provider from "oidc-provider";

const port = Number(process.env.JOBDECK_E2E_OIDC_PORT ?? 3190);
const issuer = `http://127.0.0.1:${port}`;
const clientId = process.env.JOBDECK_E2E_OIDC_CLIENT_ID ?? "jobdeck-e2e";
const clientSecret = process.env.JOBDECK_E2E_OIDC_CLIENT_SECRET ?? "jobdeck-e2e-client-secret";
const redirectUris = (process.env.JOBDECK_E2E_OIDC_REDIRECT_URIS ?? "http://127.0.0.1:3100/api/auth/callback/oidc,http://127.0.0.1:3101/api/auth/callback/oidc")
  .split(",")
  .map((u) => u.trim())
  .filter(Boolean);

const groupsMode = process.env.JOBDECK_E2E_OIDC_GROUPS ?? "profile";
if (!["profile", "scope", "userinfo"].includes(groupsMode)) throw new Error(`JOBDECK_E2E_OIDC_GROUPS must be profile, scope or userinfo (got "${groupsMode}")`);

/** @type {{ password: string, accounts: Record<string, { name: string, groups: string[] }> }} */
const directory = JSON.parse(readFileSync(new URL("./oidc-accounts.json", import.meta.url), "utf8"));

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      application_type: "web",
      redirect_uris: redirectUris,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  // By default groups ride in the ID token (Jobdeck reads roles from it), requested by the default
  // scope "openid email profile"; JOBDECK_E2E_OIDC_GROUPS changes that (see above).
  claims:
    groupsMode === "scope"
      ? { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] }
      : { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "groups"] },
  conformIdTokenClaims: groupsMode === "userinfo",
  pkce: { required: () => true },
  cookies: { keys: ["jobdeck-e2e-oidc-cookie-key"] },
  features: { devInteractions: { enabled: true } },
  ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 3600, Session: 86400, Grant: 86400 },
  // Jobdeck is a first-party client: the grant is given at login, so there is no consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(groupsMode === "profile" ? "openid email profile" : String(ctx.oidc.params.scope));
    await grant.save();
    return grant;
  },
  async findAccount(_ctx, id) {
    const account = directory.accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: true, name: account.name, groups: account.groups };
      },
    };
  },
});

// The development login form accepts any login; check it (and the password) first. An unknown
// login or a wrong password is sent back to the form. The body is read here and handed on.
provider.use(async (ctx, next) => {
  if (ctx.method === "POST" && /^\/interaction\/[^/]+$/.test(ctx.path) && ctx.is("application/x-www-form-urlencoded")) {
    const chunks = [];
    for await (const chunk of ctx.req) chunks.push(chunk);
    const raw = Buffer.concat(chunks).toString("utf8");
    const form = querystring.parse(raw);
    if (form.prompt === "login" && !(typeof form.login === "string" && directory.accounts[form.login] && form.password === directory.password)) {
      console.log(`oidc-provider: refused a sign-in as ${JSON.stringify(form.login)}`);
      ctx.status = 303;
      ctx.redirect(ctx.path);
      return;
    }
    ctx.req.body = raw;
  }
  await next();
});

provider.on("server_error", (_ctx, err) => console.error("oidc-provider: server_error", err));
provider.on("authorization.error", (_ctx, err) => console.error(`oidc-provider: authorization error ${err.message} ${err.error_description ?? ""}`));
provider.on("grant.error", (_ctx, err) => console.error(`oidc-provider: grant error ${err.message} ${err.error_description ?? ""}`));

const server = provider.listen(port, "127.0.0.1", () => {
  console.log(`oidc-provider: ${issuer} (client ${clientId}; redirect URIs ${redirectUris.join(", ")}; groups: ${groupsMode})`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
