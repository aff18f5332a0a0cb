/** Where a blob could be mounted from: another repository on the same registry that already holds it. */
import {
  type Layer,
  type ModelStore,
  type ModelName,
  parseName,
  referencedDigests,
} from "../../store/index.ts";
import type { RegistryRef } from "../types.ts";

/** Picks a `namespace/model` to mount a layer from, or undefined when none is known. */
export type MountSources = (layer: Layer) => string | undefined;

/**
 * Candidates, best first: the repository the layer says it came from (`from`, set when a model is created
 * FROM another), then every other local model of the same registry host whose manifest lists the digest.
 * A candidate that was never pushed costs one POST: the registry then answers with a plain session (202).
 */
export async function mountSources(store: ModelStore, ref: RegistryRef): Promise<MountSources> {
  const host = ref.name.host.toLowerCase();
  const self = ref.repository.toLowerCase();
  const byDigest = new Map<string, string[]>();
  const { manifests } = await store.manifests.scan();
  for (const m of manifests.sort((a, b) => repo(a.name).localeCompare(repo(b.name)))) {
    if (m.name.host.toLowerCase() !== host) continue;
    for (const d of referencedDigests(m.manifest))
      byDigest.set(d, [...(byDigest.get(d) ?? []), repo(m.name)]);
  }
  return (layer) => {
    const origin = fromName(layer.from);
    const candidates = [
      ...(origin && origin.host.toLowerCase() === host ? [repo(origin)] : []),
      ...(byDigest.get(layer.digest) ?? []),
    ];
    return candidates.find((c) => c.toLowerCase() !== self);
  };
}

function repo(n: ModelName): string {
  return `${n.namespace}/${n.model}`;
}

function fromName(from: string | undefined): ModelName | undefined {
  if (!from) return undefined;
  try {
    return parseName(from);
  } catch {
    return undefined;
  }
}
