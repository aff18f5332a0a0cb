/** Access control: Host and Origin allow lists, CORS, CSRF, API keys with scopes, TLS settings. */
export { accessOptionsFromEnv } from "./config.ts";
export { type AccessOptions, createGuard, type Guard, requestPath } from "./guard.ts";
export { AccessConfigError } from "./errors.ts";
export { type TlsFiles, tlsFromEnv } from "./tls.ts";
