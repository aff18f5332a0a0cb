/** Errors of ggml's RPC backend: a missing library, an unusable server, a protocol mismatch. */
import { TsllmError } from "../../errors.ts";

/** The RPC backend library (libggml-rpc.so) is not available to this process. */
export class RpcUnavailableError extends TsllmError {
  constructor(detail: string) {
    super(`the ggml RPC backend is not available: ${detail}`, { code: "rpc_unavailable", status: 500 });
  }
}

/** An RPC server endpoint is malformed, unreachable, not an RPC server, or failed mid-request. */
export class RpcServerError extends TsllmError {
  /** The endpoint ("host:port") the error is about. */
  readonly endpoint: string;

  constructor(endpoint: string, detail: string, cause?: unknown) {
    super(`RPC server ${endpoint}: ${detail}`, { code: "rpc_server", status: 502, cause });
    this.endpoint = endpoint;
  }
}

/** An RPC server speaks a protocol version this build cannot talk to. */
export class RpcVersionError extends RpcServerError {
  constructor(endpoint: string, theirs: string, ours: string) {
    super(
      endpoint,
      `protocol version ${theirs} is not compatible with this build's ${ours} (run the same tsllm release on every host)`,
    );
  }
}
