/**
 * Redirects over real HTTP: a registry front on 127.0.0.1 that demands Basic auth and redirects, and a
 * second server on 127.0.0.2 (another host) that records the headers it receives.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger } from "../../src/log.ts";
import { createRegistryClient } from "../../src/registry/client/index.ts";
import { RedirectRefusedError, RegistryUnreachableError } from "../../src/registry/errors.ts";
import { freePort } from "./harness/docker-registry.ts";

const BASIC = `Basic ${btoa("u:p")}`;

describe("registry client, redirects", () => {
  const home = mkdtempSync(join(tmpdir(), "tsllm-client-redirect-"));
  const seen: { path: string; method: string; authorization: string | null; body: string }[] = [];
  let cdn: ReturnType<typeof Bun.serve>;
  let registry: ReturnType<typeof Bun.serve>;

  beforeAll(() => {
    cdn = Bun.serve({
      hostname: "127.0.0.2",
      port: 0,
      async fetch(req) {
        const url = new URL(req.url);
        seen.push({
          path: url.pathname + url.search,
          method: req.method,
          authorization: req.headers.get("authorization"),
          body: await req.text(),
        });
        return new Response("blob bytes");
      },
    });
    registry = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(req) {
        const url = new URL(req.url);
        const auth = req.headers.get("authorization");
        seen.push({ path: url.pathname, method: req.method, authorization: auth, body: await req.text() });
        if (auth !== BASIC)
          return new Response("", { status: 401, headers: { "WWW-Authenticate": 'Basic realm="r"' } });
        const cdnUrl = `http://127.0.0.2:${cdn.port}`;
        switch (url.pathname) {
          case "/v2/ns/m/blobs/cross":
            return Response.redirect(`${cdnUrl}/blob?sig=abc`, 307);
          case "/v2/ns/m/blobs/same":
            return Response.redirect("/v2/ns/m/blobs/final", 302);
          case "/v2/ns/m/blobs/final":
            return new Response("same-host bytes");
          case "/v2/ns/m/see-other":
            return Response.redirect(`${cdnUrl}/after-post`, 303);
          case "/v2/ns/m/put-307":
            return Response.redirect(`${cdnUrl}/upload`, 307);
          default:
            if (url.pathname.startsWith("/v2/loop/"))
              return Response.redirect(`/v2/loop/${Number(url.pathname.slice(9)) + 1}`, 302);
            return new Response("", { status: 404 });
        }
      },
    });
  });
  afterAll(() => {
    cdn?.stop(true);
    registry?.stop(true);
    rmSync(home, { recursive: true, force: true });
  });

  const setup = () => {
    const c = createRegistryClient({
      logger: new Logger("error"),
      home,
      registryAuth: `127.0.0.1:${registry.port}=u:p`,
    });
    return { c, ref: c.ref(`127.0.0.1:${registry.port}/ns/m`, { insecure: true }) };
  };

  test("a cross-host redirect is followed without Authorization (registry on loopback → loopback allowed)", async () => {
    const { c, ref } = setup();
    seen.length = 0;
    const res = await c.send(ref, {
      method: "GET",
      url: "/v2/ns/m/blobs/cross",
      scope: "pull",
      redirect: "follow",
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("blob bytes");
    expect(seen.map((s) => [s.path, s.authorization])).toEqual([
      ["/v2/ns/m/blobs/cross", null],
      ["/v2/ns/m/blobs/cross", BASIC],
      ["/blob?sig=abc", null],
    ]);
  });

  test("a same-host redirect keeps Authorization; manual mode returns the 3xx unread", async () => {
    const { c, ref } = setup();
    const res = await c.send(ref, {
      method: "GET",
      url: "/v2/ns/m/blobs/same",
      scope: "pull",
      redirect: "follow",
    });
    expect(await res.text()).toBe("same-host bytes");
    expect(seen.at(-1)).toMatchObject({ path: "/v2/ns/m/blobs/final", authorization: BASIC });
    const manual = await c.send(ref, { method: "GET", url: "/v2/ns/m/blobs/cross", scope: "pull" });
    expect(manual.status).toBe(307);
    expect(manual.headers.get("location")).toContain("/blob?sig=abc");
  });

  test("307 keeps the method and re-sends the body; 303 turns into a GET without one", async () => {
    const { c, ref } = setup();
    seen.length = 0;
    const put = await c.send(ref, {
      method: "PUT",
      url: "/v2/ns/m/put-307",
      scope: "push",
      redirect: "follow",
      body: () => "payload",
    });
    expect(put.status).toBe(200);
    expect(seen.at(-1)).toMatchObject({
      path: "/upload",
      method: "PUT",
      body: "payload",
      authorization: null,
    });
    const post = await c.send(ref, {
      method: "POST",
      url: "/v2/ns/m/see-other",
      scope: "push",
      redirect: "follow",
      body: () => "x",
    });
    expect(post.status).toBe(200);
    expect(seen.at(-1)).toMatchObject({ path: "/after-post", method: "GET", body: "" });
  });

  test("more than 10 redirects are refused", async () => {
    const { c, ref } = setup();
    const err = await c
      .send(ref, { method: "GET", url: "/v2/loop/0", scope: "pull", redirect: "follow" })
      .catch((e) => e);
    expect(err).toBeInstanceOf(RedirectRefusedError);
    expect(err.message).toContain("10 redirects");
  });

  test("an unreachable registry is a RegistryUnreachableError", async () => {
    const { c } = setup();
    const ref = c.ref(`127.0.0.1:${freePort()}/ns/m`, { insecure: true });
    const err = await c.send(ref, { method: "GET", url: "/v2/", scope: "pull" }).catch((e) => e);
    expect(err).toBeInstanceOf(RegistryUnreachableError);
    expect(err.message).toContain("/v2/");
  });
});
