/** The registry client against a real docker-registry without auth: URLs, headers, manifests, blobs. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger } from "../../src/log.ts";
import { createRegistryClient } from "../../src/registry/client/index.ts";
import { InsecureProtocolError } from "../../src/registry/errors.ts";
import { MediaType } from "../../src/store/index.ts";
import { registryAvailable, startRegistry, type TestRegistry } from "./harness/docker-registry.ts";
import { type Seeded, seedModel } from "./harness/seed.ts";

const MANIFEST_ACCEPT = "application/vnd.docker.distribution.manifest.v2+json";

describe.skipIf(!registryAvailable())("registry client, no auth", () => {
  let reg: TestRegistry;
  let seeded: Seeded;
  const home = mkdtempSync(join(tmpdir(), "tsllm-client-"));
  const client = createRegistryClient({ logger: new Logger("error"), home, privateRedirects: false });

  beforeAll(async () => {
    reg = await startRegistry({ kind: "none" });
    seeded = await seedModel(reg.url, "ns/m", "t1", [
      { mediaType: MediaType.model, bytes: new TextEncoder().encode("GGUF model bytes") },
    ]);
  });
  afterAll(async () => {
    await reg?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  test("ref needs insecure for an http registry", () => {
    expect(() => client.ref(`http://${reg.host}/ns/m:t1`)).toThrow(InsecureProtocolError);
    const ref = client.ref(`${reg.host}/ns/m:t1`, { insecure: true });
    expect(ref.base).toBe(reg.url);
    expect(ref.repository).toBe("ns/m");
  });

  test("GET the manifest returns its raw bytes", async () => {
    const ref = client.ref(`${reg.host}/ns/m:t1`, { insecure: true });
    const res = await client.send(ref, {
      method: "GET",
      url: `/v2/${ref.repository}/manifests/${ref.name.tag}`,
      headers: { Accept: MANIFEST_ACCEPT },
      scope: "pull",
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(seeded.manifest);
  });

  test("blob GET with Range, and a missing manifest answers 404 unread", async () => {
    const ref = client.ref(`${reg.host}/ns/m:t1`, { insecure: true });
    const layer = seeded.layers[0] as { digest: string };
    const part = await client.send(ref, {
      method: "GET",
      url: `/v2/${ref.repository}/blobs/${layer.digest}`,
      headers: { Range: "bytes=0-3" },
      scope: "pull",
      redirect: "follow",
    });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe("GGUF");
    const missing = await client.send(ref, {
      method: "GET",
      url: `/v2/${ref.repository}/manifests/nope`,
      headers: { Accept: MANIFEST_ACCEPT },
      scope: "pull",
    });
    expect(missing.status).toBe(404);
    const answer = (await missing.json()) as { errors: { code: string }[] };
    expect(answer.errors[0]?.code).toBe("MANIFEST_UNKNOWN");
  });
});
