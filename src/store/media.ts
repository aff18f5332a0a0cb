/** Media types of the manifest, its config blob and each layer kind, as Ollama writes them. */
export const MediaType = {
  manifest: "application/vnd.docker.distribution.manifest.v2+json",
  config: "application/vnd.docker.container.image.v1+json",
  model: "application/vnd.ollama.image.model",
  projector: "application/vnd.ollama.image.projector",
  adapter: "application/vnd.ollama.image.adapter",
  draft: "application/vnd.ollama.image.draft",
  template: "application/vnd.ollama.image.template",
  /** Legacy spelling of `template`, read the same way. */
  prompt: "application/vnd.ollama.image.prompt",
  system: "application/vnd.ollama.image.system",
  params: "application/vnd.ollama.image.params",
  messages: "application/vnd.ollama.image.messages",
  license: "application/vnd.ollama.image.license",
} as const;
