/** The credential shapes a registry can be given, and the host key they are filed under. */

/** A credential, by how it is presented. `source` says where it came from (for logs; never the secret). */
export type RegistryCredential =
  /** user:password — Basic to the registry or to its token realm. */
  | { readonly kind: "basic"; readonly username: string; readonly password: string; readonly source: string }
  /** An OAuth2 refresh token (docker's `identitytoken`), exchanged at the realm for an access token. */
  | { readonly kind: "identity"; readonly token: string; readonly source: string }
  /** A registry bearer token (docker's `registrytoken`, TSLLM_REGISTRY_AUTH `host=token`), sent as is. */
  | { readonly kind: "bearer"; readonly token: string; readonly source: string };

/** `HOST`, `https://HOST/v1/` or `http://HOST` → `host` (docker's convertToHostname, lower-cased). */
export function normalizeHost(s: string): string {
  return s
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, "")
    .replace(/\/.*$/, "")
    .toLowerCase();
}
