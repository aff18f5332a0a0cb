import { expect, test } from "bun:test";
import { cc, FFIType } from "bun:ffi";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthModel } from "../../../test/fixtures/models.ts";
import { readGguf } from "../../gguf/reader.ts";
import { llamaSourceDir } from "../../gguf/synth/llama-source.ts";
import { resolveLibDir } from "./libs.ts";
import { cstr, readCString } from "./memory.ts";

// llama.cpp's own view of a GGUF file (ggml's gguf_* API, from the prebuilt libggml-base) compiled with the
// same `cc` the shim uses, compared with tsllm's pure-TS reader.
const VIEW_C = `
#include <stdint.h>
#include "ggml.h"
#include "gguf.h"
void *dlopen(const char *file, int mode);
void *dlsym(void *handle, const char *name);
static struct gguf_context *(*f_init)(const char *, struct gguf_init_params);
static int64_t (*f_n_kv)(const struct gguf_context *);
static const char *(*f_key)(const struct gguf_context *, int64_t);
static int64_t (*f_n_tensors)(const struct gguf_context *);
static const char *(*f_tname)(const struct gguf_context *, int64_t);
static int (*f_ttype)(const struct gguf_context *, int64_t);
static size_t (*f_toff)(const struct gguf_context *, int64_t);
static size_t (*f_data_off)(const struct gguf_context *);
static struct ggml_tensor *(*f_get_tensor)(struct ggml_context *, const char *);
static struct gguf_context *g;
static struct ggml_context *meta;
int64_t view_open(const char *lib, const char *file) {
  void *h = dlopen(lib, 2);
  if (!h) return -2;
  f_init = dlsym(h, "gguf_init_from_file"); f_n_kv = dlsym(h, "gguf_get_n_kv"); f_key = dlsym(h, "gguf_get_key");
  f_n_tensors = dlsym(h, "gguf_get_n_tensors"); f_tname = dlsym(h, "gguf_get_tensor_name");
  f_ttype = dlsym(h, "gguf_get_tensor_type"); f_toff = dlsym(h, "gguf_get_tensor_offset");
  f_data_off = dlsym(h, "gguf_get_data_offset"); f_get_tensor = dlsym(h, "ggml_get_tensor");
  struct gguf_init_params p; p.no_alloc = 1; p.ctx = &meta;
  g = f_init(file, p);
  return g ? f_n_kv(g) : -1;
}
const char *view_key(int64_t i) { return f_key(g, i); }
int64_t view_n_tensors(void) { return f_n_tensors(g); }
const char *view_tname(int64_t i) { return f_tname(g, i); }
int32_t view_ttype(int64_t i) { return f_ttype(g, i); }
int64_t view_toff(int64_t i) { return (int64_t)(f_data_off(g) + f_toff(g, i)); }
int64_t view_ne(int64_t i, int32_t d) { return f_get_tensor(meta, f_tname(g, i))->ne[d]; }
`;

function llamaView(file: string) {
  const src = llamaSourceDir();
  const dir = mkdtempSync(join(tmpdir(), "tsllm-gguf-view-"));
  writeFileSync(join(dir, "view.c"), VIEW_C);
  const { symbols: s } = cc({
    source: join(dir, "view.c"),
    include: [join(src, "ggml", "include")],
    symbols: {
      view_open: { args: [FFIType.cstring, FFIType.cstring], returns: FFIType.i64_fast },
      view_key: { args: [FFIType.i64], returns: FFIType.ptr },
      view_n_tensors: { args: [], returns: FFIType.i64_fast },
      view_tname: { args: [FFIType.i64], returns: FFIType.ptr },
      view_ttype: { args: [FFIType.i64], returns: FFIType.i32 },
      view_toff: { args: [FFIType.i64], returns: FFIType.i64_fast },
      view_ne: { args: [FFIType.i64, FFIType.i32], returns: FFIType.i64_fast },
    },
  });
  const lib = resolveLibDir({ variant: "cpu", cacheDir: tmpdir() });
  const nKv = Number(s.view_open(cstr(lib.libggmlBase), cstr(file)));
  expect(nKv).toBeGreaterThan(0);
  const keys = Array.from({ length: nKv }, (_, i) => readCString(s.view_key(i)) as string);
  const tensors = Array.from({ length: Number(s.view_n_tensors()) }, (_, i) => ({
    name: readCString(s.view_tname(i)) as string,
    type: s.view_ttype(i),
    offset: Number(s.view_toff(i)),
    ne: [0, 1, 2, 3].map((d) => Number(s.view_ne(i, d))),
  }));
  return { keys, tensors };
}

test("the GGUF reader agrees with llama.cpp: keys, tensor names, shapes, types and offsets", async () => {
  const files = [
    await synthModel({ preset: "tiny", quant: "q4_0", vocab: "llama-bpe" }),
    await synthModel({ preset: "embed", quant: "q8_0", vocab: "bert-bge" }),
  ];
  for (const file of files) {
    const ours = await readGguf(file);
    const theirs = llamaView(file);
    expect(Object.keys(ours.metadata).sort()).toEqual([...theirs.keys].sort());
    expect(
      ours.tensors.map((t) => ({
        name: t.name,
        type: t.type,
        offset: t.offset,
        ne: [...t.shape, 1, 1, 1, 1].slice(0, 4),
      })),
    ).toEqual(theirs.tensors);
  }
});
