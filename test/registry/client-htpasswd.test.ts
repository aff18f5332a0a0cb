/** The registry client against a real docker-registry behind htpasswd (Basic) auth. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger } from "../../src/log.ts";
import { type ClientOptions, createRegistryClient } from "../../src/registry/client/index.ts";
import { RegistryAuthError } from "../../src/registry/errors.ts";
import type { RegistryClient, RegistryRef } from "../../src/registry/types.ts";
import { registryAvailable, startRegistry, type TestRegistry } from "./harness/docker-registry.ts";

const hasHtpasswd = Bun.spawnSync(["sh", "-c", "command -v htpasswd"]).exitCode === 0;

describe.skipIf(!registryAvailable() || !hasHtpasswd)("registry client, htpasswd registry", () => {
  let reg: TestRegistry;
  const home = mkdtempSync(join(tmpdir(), "tsllm-client-basic-"));
  const base: ClientOptions = { logger: new Logger("error"), home, dockerConfigDir: join(home, "no-docker") };

  beforeAll(async () => {
    reg = await startRegistry({ kind: "htpasswd", users: { alice: "wonderland" } });
  });
  afterAll(async () => {
    await reg?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  const ping = (
    client: RegistryClient,
    ref: RegistryRef,
    credentials?: { username: string; password: string },
  ) => client.send(ref, { method: "GET", url: "/v2/", scope: "pull" }, credentials);

  test("the request's own credentials answer the Basic challenge", async () => {
    const client = createRegistryClient(base);
    const ref = client.ref(`${reg.host}/ns/m`, { insecure: true });
    const res = await ping(client, ref, { username: "alice", password: "wonderland" });
    expect(res.status).toBe(200);
    await res.body?.cancel();
  });

  test("TSLLM_REGISTRY_AUTH and docker config.json credentials work too", async () => {
    const viaEnv = createRegistryClient({ ...base, registryAuth: `${reg.host}=alice:wonderland` });
    const ref = viaEnv.ref(`${reg.host}/ns/m`, { insecure: true });
    expect((await ping(viaEnv, ref)).status).toBe(200);

    const dockerDir = join(home, "docker");
    mkdirSync(dockerDir, { recursive: true });
    writeFileSync(
      join(dockerDir, "config.json"),
      JSON.stringify({ auths: { [reg.host]: { auth: btoa("alice:wonderland") } } }),
    );
    const viaDocker = createRegistryClient({ ...base, dockerConfigDir: dockerDir });
    expect((await ping(viaDocker, ref)).status).toBe(200);
    // Later requests reuse the accepted credentials without a new challenge round.
    const manifest = await viaDocker.send(ref, {
      method: "GET",
      url: "/v2/ns/m/manifests/latest",
      scope: "pull",
    });
    expect(manifest.status).toBe(404);
    await manifest.body?.cancel();
  });

  test("no credentials, or wrong ones, fail with a 401 naming the registry", async () => {
    const client = createRegistryClient(base);
    const ref = client.ref(`${reg.host}/ns/m`, { insecure: true });
    const none = await ping(client, ref).catch((e) => e);
    expect(none).toBeInstanceOf(RegistryAuthError);
    expect(none.status).toBe(401);
    expect(none.message).toContain(reg.host);
    const wrong = await ping(client, ref, { username: "alice", password: "nope-secret" }).catch((e) => e);
    expect(wrong).toBeInstanceOf(RegistryAuthError);
    expect(wrong.message).toStartWith("unauthorized: access denied");
    expect(wrong.message).not.toContain("nope-secret");
  });
});
