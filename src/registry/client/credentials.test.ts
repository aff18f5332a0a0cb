import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger } from "../../log.ts";
import { normalizeHost } from "./credential.ts";
import { envCredential, findCredential } from "./credentials.ts";

const root = mkdtempSync(join(tmpdir(), "tsllm-creds-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const log = new Logger("error");
let n = 0;

/** A docker config dir holding `config`. */
function dockerDir(config: unknown): string {
  const dir = join(root, `docker-${n++}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  return dir;
}

/** A PATH dir with a `docker-credential-<name>` script answering `answer` for `server`. */
function helperDir(name: string, server: string, answer: unknown): string {
  const dir = join(root, `bin-${n++}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `docker-credential-${name}`);
  writeFileSync(
    file,
    `#!/bin/sh\n[ "$1" = get ] || exit 2\nread s\n[ "$s" = "${server}" ] || { echo "credentials not found in native keychain"; exit 1; }\necho '${JSON.stringify(answer)}'\n`,
  );
  chmodSync(file, 0o755);
  return dir;
}

describe("credential lookup", () => {
  test("host keys are normalised like docker's", () => {
    expect(normalizeHost("https://Reg.Example:5000/v1/")).toBe("reg.example:5000");
    expect(normalizeHost("reg.example")).toBe("reg.example");
  });

  test("TSLLM_REGISTRY_AUTH: user:password, bare tokens, host matching", () => {
    const v = "a.example=u:p:w, b.example:5000=tok ,broken";
    expect(envCredential(v, "a.example")).toMatchObject({ kind: "basic", username: "u", password: "p:w" });
    expect(envCredential(v, "b.example:5000")).toMatchObject({ kind: "bearer", token: "tok" });
    expect(envCredential(v, "b.example")).toBeUndefined();
  });

  test("order: the request's own, then the env variable, then docker config", async () => {
    const dockerConfigDir = dockerDir({ auths: { "reg.example": { auth: btoa("docker:pw") } } });
    const sources = { registryAuth: "reg.example=env:pw", dockerConfigDir };
    const req = { username: "req", password: "pw" };
    expect(await findCredential("reg.example", req, sources, log)).toMatchObject({
      username: "req",
      source: "request",
    });
    expect(await findCredential("reg.example", undefined, sources, log)).toMatchObject({ username: "env" });
    expect(await findCredential("reg.example", undefined, { dockerConfigDir }, log)).toMatchObject({
      kind: "basic",
      username: "docker",
      password: "pw",
    });
    expect(await findCredential("none.example", undefined, sources, log)).toBeUndefined();
  });

  test("docker auths entries: auth, username/password, identitytoken, registrytoken, URL keys", async () => {
    const dockerConfigDir = dockerDir({
      auths: {
        "https://a.example/v1/": { auth: btoa("ua:pa") },
        "b.example": { username: "ub", password: "pb" },
        "http://c.example": { identitytoken: "idt" },
        "d.example": { registrytoken: "rt" },
        "e.example": {},
        "https://index.docker.io/v1/": { auth: btoa("hub:pw") },
      },
    });
    const find = (h: string) => findCredential(h, undefined, { dockerConfigDir }, log);
    expect(await find("a.example")).toMatchObject({ kind: "basic", username: "ua", password: "pa" });
    expect(await find("b.example")).toMatchObject({ kind: "basic", username: "ub", password: "pb" });
    expect(await find("c.example")).toMatchObject({ kind: "identity", token: "idt" });
    expect(await find("d.example")).toMatchObject({ kind: "bearer", token: "rt" });
    expect(await find("e.example")).toBeUndefined();
    expect(await find("registry-1.docker.io")).toMatchObject({ username: "hub" });
  });

  test("credential helpers: credHelpers per host, credsStore for all, <token> users, missing helpers skipped", async () => {
    const bin = helperDir("fake", "reg.example", { ServerURL: "reg.example", Username: "hu", Secret: "hs" });
    const tokenBin = helperDir("tok", "tok.example", { Username: "<token>", Secret: "refresh" });
    const dockerConfigDir = dockerDir({
      credHelpers: { "reg.example": "fake", "tok.example": "tok", "gone.example": "absent" },
      auths: { "gone.example": { auth: btoa("file:pw") }, "reg.example": { auth: btoa("shadowed:pw") } },
    });
    const sources = { dockerConfigDir, helperPath: `${bin}:${tokenBin}` };
    expect(await findCredential("reg.example", undefined, sources, log)).toMatchObject({
      kind: "basic",
      username: "hu",
      password: "hs",
      source: "docker-credential-fake",
    });
    expect(await findCredential("tok.example", undefined, sources, log)).toMatchObject({
      kind: "identity",
      token: "refresh",
    });
    expect(await findCredential("gone.example", undefined, sources, log)).toMatchObject({ username: "file" });

    const storeDir = dockerDir({ credsStore: "fake", auths: { "reg.example": {} } });
    expect(
      await findCredential("reg.example", undefined, { dockerConfigDir: storeDir, helperPath: bin }, log),
    ).toMatchObject({
      username: "hu",
    });
    // The helper knows nothing about this host (exit 1): no credential, no error.
    expect(
      await findCredential("x.example", undefined, { dockerConfigDir: storeDir, helperPath: bin }, log),
    ).toBeUndefined();
  });

  test("a missing or unparsable docker config is no credential", async () => {
    expect(
      await findCredential("reg.example", undefined, { dockerConfigDir: join(root, "nope") }, log),
    ).toBeUndefined();
    const dir = join(root, "bad");
    mkdirSync(dir);
    writeFileSync(join(dir, "config.json"), "{not json");
    expect(await findCredential("reg.example", undefined, { dockerConfigDir: dir }, log)).toBeUndefined();
  });
});
