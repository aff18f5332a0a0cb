/**
 * The UI's files ready to serve: each with its strong ETag, a gzip copy when that is smaller, and whether
 * its name is content-hashed (cacheable for good) or not (the index page and icon: revalidated). Loaded
 * once per server from the executable (embedded.ts) or, in development, from a fresh build.
 */
import { buildUiFiles, contentType, type UiFile } from "./bundle.ts";
import { EMBEDDED_UI } from "./embedded.ts";

/** A file ready to serve. */
export interface UiAsset extends UiFile {
  etag: string;
  gzip?: Uint8Array;
  /** The name carries a content hash: the body never changes under it. */
  immutable: boolean;
}

/** Files with a content hash in their name (bundler output: name-<hash>.ext). */
const HASHED = /-[a-z0-9]{8,}\.(js|css)$/;

function prepare(f: UiFile): UiAsset {
  const hash = new Bun.CryptoHasher("sha256").update(f.body).digest("base64url").slice(0, 22);
  const gz = Bun.gzipSync(f.body as Uint8Array<ArrayBuffer>, { level: 9 });
  return {
    ...f,
    etag: `"${hash}"`,
    gzip: gz.length < f.body.length ? gz : undefined,
    immutable: HASHED.test(f.name),
  };
}

/** The UI's files by name. */
export class UiAssets {
  readonly #files = new Map<string, UiAsset>();

  constructor(files: readonly UiFile[]) {
    for (const f of files) this.#files.set(f.name, prepare(f));
  }

  /** The file served at /ui/<name> ("" or "index.html": the index page), or undefined. */
  get(name: string): UiAsset | undefined {
    return this.#files.get(name === "index.html" ? "" : name);
  }

  /** Every file. */
  list(): UiAsset[] {
    return [...this.#files.values()];
  }
}

/** Loads the UI's files (memoized by the caller; see uiSource). */
export type UiSource = () => Promise<UiAssets>;

async function embeddedFiles(): Promise<UiFile[]> {
  return Promise.all(
    Object.entries(EMBEDDED_UI).map(async ([name, path]) => ({
      name,
      type: contentType(name),
      body: await Bun.file(path).bytes(),
    })),
  );
}

/**
 * The UI of this server: the files embedded in the executable, else (development) a build of src/ui/app.
 * Loaded on first use and kept; a failed build is retried on the next request.
 */
export function uiSource(build: () => Promise<UiFile[]> = buildUiFiles): UiSource {
  let loading: Promise<UiAssets> | null = null;
  return () => {
    loading ??= (Object.keys(EMBEDDED_UI).length > 0 ? embeddedFiles() : build()).then(
      (files) => new UiAssets(files),
      (e) => {
        loading = null;
        throw e;
      },
    );
    return loading;
  };
}
