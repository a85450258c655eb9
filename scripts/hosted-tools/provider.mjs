// A local authorization server for the OAuth tests (tests/hosted): oidc-provider, OpenID
// Certified, with the client credentials grant, resource indicators (RFC 8707) and JWT access
// tokens (RFC 9068) for any resource asked for. Every start makes a new signing key, so a
// restart on the same port is a key rotation. Not for anything but tests on loopback.
//
//   node provider.mjs <port>    prints "issuer <url> kid <kid>" once it listens
import { generateKeyPairSync, randomUUID } from "node:crypto";
import Provider from "oidc-provider";

const port = Number(process.argv[2] || 0);
const issuer = `http://127.0.0.1:${port}`;
const kid = randomUUID();
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };

// Which scopes each test client may ask for. `expired-app`'s tokens are signed as issued an
// hour ago, so they expired long before they arrive (see `customizers` below).
const clients = [
  ["support-app", "orders:read orders:personal"],
  ["reader-app", "orders:read"],
  ["personal-only-app", "orders:personal"],
  ["expired-app", "orders:read"],
].map(([client_id, scope]) => ({
  client_id,
  client_secret: `${client_id}-secret`,
  grant_types: ["client_credentials"],
  redirect_uris: [],
  response_types: [],
  token_endpoint_auth_method: "client_secret_basic",
  scope,
}));

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [jwk] },
  scopes: ["orders:read", "orders:personal"],
  clientBasedCORS: () => true,
  ttl: { ClientCredentials: 300 },
  formats: {
    customizers: {
      jwt(ctx, token, jwt) {
        if (token.clientId === "expired-app") {
          jwt.payload.iat -= 3600;
          jwt.payload.exp -= 3600;
        }
      },
    },
  },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: (ctx, client, oneOf) => oneOf ?? undefined,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resourceIndicator, client) => ({
        scope: "orders:read orders:personal",
        audience: resourceIndicator,
        accessTokenTTL: 300,
        accessTokenFormat: "jwt",
        jwt: { sign: { alg: "RS256" } },
      }),
    },
  },
});
provider.on("server_error", (ctx, error) => console.error("server_error", error));

const server = provider.listen(port, "127.0.0.1", () => {
  console.log(`issuer ${issuer} kid ${kid}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
