/** The registry HTTP client: refs, auth challenges, request signing, credentials and redirect policy. */
export { createRegistryClient } from "./client.ts";
export { type ClientOptions, clientOptionsFromEnv, type ResolveHost } from "./options.ts";
