/**
 * The access guard's refusals. Each names the setting that would let the request through, and none repeats
 * a key the client sent.
 */
import { TsllmError } from "../../errors.ts";

/** Client-supplied text shown in a message: quoted and cut short (header values can be long). */
function quoted(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}

/** A Host header this server does not answer to (DNS rebinding protection) (403). */
export class HostNotAllowedError extends TsllmError {
  constructor(host: string) {
    super(`host ${quoted(host)} is not allowed; add it to TSLLM_ALLOWED_HOSTS to accept it`, {
      code: "host_not_allowed",
      status: 403,
    });
  }
}

/** A browser Origin outside the allow list (403). */
export class OriginNotAllowedError extends TsllmError {
  constructor(origin: string) {
    super(`origin ${quoted(origin)} is not allowed; add it to TSLLM_ORIGINS to accept it`, {
      code: "origin_not_allowed",
      status: 403,
    });
  }
}

/** A state-changing browser request a page can send without a CORS preflight (CSRF) (403). */
export class CrossSiteRequestError extends TsllmError {
  constructor(method: string, contentType: string) {
    const what = contentType ? `content type ${quoted(contentType)}` : "no content type";
    super(`cross-site ${method} with ${what} refused; send Content-Type: application/json`, {
      code: "cross_site_request",
      status: 403,
    });
  }
}

/** No API key, or one the server does not know (401). */
export class ApiKeyError extends TsllmError {
  constructor(missing: boolean) {
    super(
      missing
        ? "this server requires an API key: send Authorization: Bearer <key> (or x-api-key: <key>)"
        : "invalid API key",
      { code: "invalid_api_key", status: 401 },
    );
  }
}

/** An inference-scope key on a route that changes the model store (403). */
export class AdminKeyRequiredError extends TsllmError {
  constructor(route: string) {
    super(`${route} changes the model store and needs an admin API key`, {
      code: "permission_denied",
      status: 403,
    });
  }
}

/** Access settings that cannot work (a TLS certificate without its key, an unreadable keys file). */
export class AccessConfigError extends TsllmError {
  constructor(message: string) {
    super(message, { code: "invalid_config", status: 500 });
  }
}
