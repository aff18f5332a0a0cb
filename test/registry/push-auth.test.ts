/** Push to a basic-auth (htpasswd) registry with the request's own credentials: every upload step authorized. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RegistryAuthError } from "../../src/registry/errors.ts";
import {
  commandAvailable,
  registryAvailable,
  startRegistry,
  type TestRegistry,
} from "./harness/docker-registry.ts";
import { bytesOf, makeModel, type PushFixture, push, pushFixture } from "./push-helpers.ts";

const PASSWORD = "pu5h-pa55word";

describe.skipIf(!registryAvailable() || !commandAvailable("htpasswd"))("push with basic auth", () => {
  let reg: TestRegistry;
  let fx: PushFixture;
  let name: string;

  beforeAll(async () => {
    reg = await startRegistry({ kind: "htpasswd", users: { carol: PASSWORD } });
    fx = pushFixture({ chunkSize: 20 * 1024 });
    name = `${reg.host}/ns/auth:latest`;
    await makeModel(fx.store, name, { weights: bytesOf(70 * 1024, 11) });
  });
  afterAll(async () => {
    await reg?.stop();
    fx?.cleanup();
  });

  test("wrong credentials fail with the auth error, before any upload", async () => {
    const { error, lines } = await push(fx.deps, name, {
      credentials: { username: "carol", password: "nope" },
    });
    expect(error).toBeInstanceOf(RegistryAuthError);
    expect((error as Error).message).not.toContain("nope");
    expect(lines.some((p) => p.digest !== undefined)).toBe(false);
  });

  test("the request's credentials carry HEAD, POST, PATCH parts, commits and the manifest", async () => {
    const { error, lines } = await push(fx.deps, name, {
      credentials: { username: "carol", password: PASSWORD },
    });
    expect(error).toBeUndefined();
    expect(lines.at(-1)).toEqual({ status: "success" });
    const auth = { authorization: `Basic ${btoa(`carol:${PASSWORD}`)}` };
    const stored = (await fx.store.get(name)).stored;
    const remote = await fetch(`${reg.url}/v2/ns/auth/manifests/latest`, {
      headers: { ...auth, accept: "application/vnd.docker.distribution.manifest.v2+json" },
    });
    expect(await remote.text()).toBe(new TextDecoder().decode(stored.bytes));
  });
});
