// A real OpenID provider for Sagsflow's sign-in tests: the certified `oidc-provider` package,
// configured here and nothing more. Its signing key is generated at start (nothing secret is
// committed). Usage: node server.mjs <config.json>, where the JSON file holds
//   {"issuer": "http://127.0.0.1:<port>", "port": <port>,
//    "client": {"client_id", "client_secret", "redirect_uris": [...], "post_logout_redirect_uris": [...]},
//    "accounts": {"<login>": {<claims>}}}
// Sign-in uses the package's own login page (any password; the login picks the account).
// Prints "ready" on stdout once it listens.

import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

import Provider from "oidc-provider";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signing = { ...privateKey.export({ format: "jwk" }), kid: "op-" + randomBytes(4).toString("hex"), use: "sig", alg: "RS256" };

const provider = new Provider(config.issuer, {
  clients: [
    {
      ...config.client,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  jwks: { keys: [signing] },
  cookies: { keys: [randomBytes(32).toString("hex")] },
  claims: { openid: ["sub"], profile: ["name"], groups: ["groups"] },
  scopes: ["openid", "profile", "groups"],
  conformIdTokenClaims: false, // the groups go into the ID token, as Entra ID puts them there
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(ctx, id) {
    const claims = config.accounts[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  // The client is the municipality's own application: no consent screen (a grant is made at once).
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope("openid profile groups");
    await grant.save();
    return grant;
  },
});

provider.listen(config.port, "127.0.0.1", () => {
  console.log("ready");
});
