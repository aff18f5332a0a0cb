/**
 * A real OCI registry for tests: Debian's `docker-registry` (distribution 2.8) started on loopback with its
 * own storage directory, optionally behind htpasswd (basic) or token auth. `.ci/run` installs the package;
 * `registryAvailable()` lets a test file skip cleanly where it is missing.
 */
import { spawn } from "bun";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Debian's binary, or TSLLM_TEST_REGISTRY_BIN: the same binary copied along (it needs only libc) to a machine
 * where the package cannot be installed, such as the accelerator machine for bench/pull.ts.
 */
const BINARY = process.env.TSLLM_TEST_REGISTRY_BIN || "/usr/bin/docker-registry";

/** True when docker-registry is installed (or given). */
export function registryAvailable(): boolean {
  return Bun.spawnSync(["test", "-x", BINARY]).exitCode === 0;
}

/** True when `cmd` (htpasswd, openssl, curl) is on the PATH. */
export function commandAvailable(cmd: string): boolean {
  return Bun.which(cmd) !== null;
}

/** Auth the registry demands. */
export type RegistryAuth =
  | { kind: "none" }
  /** htpasswd file lines (`user:bcrypt`), made with `htpasswd -nbB user password`. */
  | { kind: "htpasswd"; users: Record<string, string> }
  /** Bearer tokens from `realm`, signed by the key whose certificate bundle is `rootCertBundle` (PEM path). */
  | { kind: "token"; realm: string; service: string; issuer: string; rootCertBundle: string };

/** A started registry. */
export interface TestRegistry {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `127.0.0.1:PORT`, the host part of model names pushed to it. */
  readonly host: string;
  readonly port: number;
  /** Where the registry keeps its data (`docker/registry/v2/blobs/sha256/ab/<hex>/data` …). */
  readonly storageDir: string;
  /** The registry process (benchmarks read its CPU time). */
  readonly pid: number;
  /** The file a blob's bytes live in inside the registry's storage (to corrupt it in tests). */
  blobDataPath(digest: string): string;
  stop(): Promise<void>;
}

/** A free loopback TCP port (bound, then released). */
export function freePort(): number {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

function htpasswdLine(user: string, password: string): string {
  const r = Bun.spawnSync(["htpasswd", "-nbB", user, password]);
  if (r.exitCode !== 0) throw new Error(`htpasswd failed: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

function authYaml(auth: RegistryAuth, dir: string): string {
  switch (auth.kind) {
    case "none":
      return "";
    case "htpasswd": {
      const file = join(dir, "htpasswd");
      const lines = Object.entries(auth.users).map(([u, p]) => htpasswdLine(u, p));
      writeFileSync(file, `${lines.join("\n")}\n`);
      return `auth:\n  htpasswd:\n    realm: basic-realm\n    path: ${file}\n`;
    }
    case "token":
      return [
        "auth:",
        "  token:",
        `    realm: ${auth.realm}`,
        `    service: ${auth.service}`,
        `    issuer: ${auth.issuer}`,
        `    rootcertbundle: ${auth.rootCertBundle}`,
        "",
      ].join("\n");
  }
}

/** Starts a registry on a free loopback port and waits until `/v2/` answers. */
export async function startRegistry(auth: RegistryAuth = { kind: "none" }): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), "tsllm-registry-"));
  const storageDir = join(dir, "storage");
  const port = freePort();
  const config = join(dir, "config.yml");
  writeFileSync(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: error",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${storageDir}`,
      "  delete:",
      "    enabled: true",
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "  secret: tsllm-test-secret",
      authYaml(auth, dir),
    ].join("\n"),
  );
  const proc = spawn([BINARY, "serve", config], { stdout: "ignore", stderr: "pipe" });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (proc.exitCode !== null) {
      const err = await new Response(proc.stderr).text();
      throw new Error(`docker-registry exited (${proc.exitCode}): ${err.slice(0, 2000)}`);
    }
    const ok = await fetch(`${url}/v2/`)
      .then((r) => r.status === 200 || r.status === 401)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) {
      proc.kill();
      throw new Error("docker-registry did not start within 15 s");
    }
    await Bun.sleep(50);
  }
  return {
    url,
    host: `127.0.0.1:${port}`,
    port,
    storageDir,
    pid: proc.pid,
    blobDataPath(digest: string) {
      const hex = digest.replace(/^sha256:/, "");
      return join(storageDir, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data");
    },
    async stop() {
      proc.kill();
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
