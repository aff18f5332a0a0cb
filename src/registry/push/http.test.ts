import { describe, expect, test } from "bun:test";
import { UploadProtocolError } from "./errors.ts";
import { rangeOffset, uploadLocation, withQuery } from "./http.ts";

describe("upload URLs", () => {
  test("withQuery appends after the registry's query, leaving it byte for byte", () => {
    const state = "_state=ab%2Bcd%3D%3D&x=a+b";
    const u = withQuery(new URL(`http://r:5000/v2/ns/m/blobs/uploads/id?${state}`), { digest: "sha256:00" });
    expect(u.search).toBe(`?${state}&digest=sha256%3A00`);
    expect(withQuery(new URL("http://r/u"), { digest: "d", etag: "e-1" }).search).toBe("?digest=d&etag=e-1");
    expect(withQuery(new URL("http://r/u?"), { digest: "d" }).search).toBe("?digest=d");
  });

  test("uploadLocation prefers Docker-Upload-Location and resolves relative locations", () => {
    const from = new URL("http://r:5000/v2/ns/m/blobs/uploads/");
    const rel = new Response(null, {
      status: 202,
      headers: { location: "/v2/ns/m/blobs/uploads/id?_state=s" },
    });
    expect(uploadLocation(rel, from, "x").href).toBe("http://r:5000/v2/ns/m/blobs/uploads/id?_state=s");
    const both = new Response(null, {
      status: 307,
      headers: { location: "http://cdn/part", "docker-upload-location": "https://r/next?q=1" },
    });
    expect(uploadLocation(both, from, "x").href).toBe("https://r/next?q=1");
    expect(() => uploadLocation(new Response(null, { status: 202 }), from, "a PATCH")).toThrow(
      UploadProtocolError,
    );
  });

  test("rangeOffset reads distribution's upload status", () => {
    expect(rangeOffset("0-65535")).toBe(65536);
    expect(rangeOffset("bytes=0-9")).toBe(10);
    expect(rangeOffset("0-0")).toBe(0);
    expect(rangeOffset(null)).toBeUndefined();
    expect(rangeOffset("5-9")).toBeUndefined();
  });
});
