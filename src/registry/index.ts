/** The registry: pull and push over Ollama's registry protocol (the facade, its contract and its errors). */
export { clientOptionsFromEnv, createRegistryClient } from "./client/index.ts";
export {
  InsecureProtocolError,
  RedirectRefusedError,
  RegistryAuthError,
  RegistryResponseError,
  RegistryUnreachableError,
} from "./errors.ts";
export {
  Registry,
  RegistryClosedError,
  type RegistryOptions,
  type RegistrySettings,
  RegistryUnavailableError,
  settingsFromEnv,
  type TransferDeps,
  type TransferFn,
} from "./registry.ts";
export type {
  Credentials,
  Progress,
  RegistryClient,
  RegistryRef,
  RegistryRequest,
  TransferOptions,
} from "./types.ts";
