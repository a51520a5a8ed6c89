"""Sign-in to the pages: server-side sessions started through OIDC, SAML 2.0 (OIOSAML 3) or,
in dev mode only, the dev token; rights mapped from the providers' roles by a configuration file."""
