import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MediaType, ModelStore, parseName } from "../../store/index.ts";
import type { RegistryRef } from "../types.ts";
import { mountSources } from "./mount.ts";

const dir = mkdtempSync(join(tmpdir(), "tsllm-push-mount-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const layer = (d: string, from?: string) => ({
  mediaType: MediaType.model,
  digest: d,
  size: 1,
  ...(from ? { from } : {}),
});
const config = { mediaType: MediaType.config, digest: digest("c"), size: 1 };

function ref(name: string): RegistryRef {
  const n = parseName(name);
  return { name: n, base: `http://${n.host}`, repository: `${n.namespace}/${n.model}` };
}

test("mount sources: the layer's origin first, then other repositories of the same host, never itself", async () => {
  const store = new ModelStore(join(dir, "models"));
  await store.manifests.write(parseName("reg:5000/ns/a:1"), config, [layer(digest("1"))]);
  await store.manifests.write(parseName("reg:5000/zz/b:1"), config, [layer(digest("1")), layer(digest("2"))]);
  await store.manifests.write(parseName("other:5000/ns/c:1"), config, [layer(digest("3"))]);
  const pick = await mountSources(store, ref("reg:5000/me/m:1"));
  expect(pick(layer(digest("1")))).toBe("ns/a");
  expect(pick(layer(digest("1"), "reg:5000/zz/b:1"))).toBe("zz/b");
  expect(pick(layer(digest("2")))).toBe("zz/b");
  // Another host's model is no source, nor is the layer's origin on another host.
  expect(pick(layer(digest("3")))).toBeUndefined();
  expect(pick(layer(digest("4"), "other:5000/ns/c:1"))).toBeUndefined();
  expect((await mountSources(store, ref("reg:5000/zz/b:2")))(layer(digest("2")))).toBeUndefined();
});
