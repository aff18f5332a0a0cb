/** Whether the target repository already holds a blob (HEAD /v2/<repo>/blobs/<digest>). */
import { RegistryResponseError } from "../errors.ts";
import { drain } from "./http.ts";
import { type PushContext, repoPath, send } from "./context.ts";
import { withRetries } from "./retry.ts";

/** True on 2xx or a redirect to storage, false on 404; other answers are errors (retried when transient). */
export function blobExists(ctx: PushContext, digest: string): Promise<boolean> {
  return withRetries(
    ctx,
    `HEAD ${digest}`,
    async () => {
      const res = await send(ctx, {
        method: "HEAD",
        url: repoPath(ctx, `blobs/${digest}`),
        redirect: "manual",
      });
      await drain(res);
      if (res.status === 404) return false;
      if (res.status >= 200 && res.status < 400) return true;
      // A HEAD answer has no body to quote: the status text is all the registry said.
      throw new RegistryResponseError(res.status, res.statusText);
    },
    { unreachableIsFinal: true },
  );
}
