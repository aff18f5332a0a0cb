/**
 * Finished Responses-API responses kept in memory so a follow-up request can name one as
 * `previous_response_id` and continue its conversation. Bounded three ways, oldest-used dropped first:
 * at most `maxEntries` responses, at most `maxBytes` of (JSON-measured) conversations, and none older than
 * `ttlMs`. Nothing survives a restart: clients that need durable history send it themselves.
 */
import type { ChatMessage } from "../templates/index.ts";

/** A response as kept: the conversation it ended (inputs and outputs, without instructions) and its JSON. */
export interface StoredResponse {
  /** Every message of the conversation up to and including this response's output. */
  conversation: ChatMessage[];
  /** The response object as the API returned it (for GET /v1/responses/{id}). */
  response: Record<string, unknown>;
}

/** Bounds of a ResponsesStore. */
export interface ResponsesStoreOptions {
  /** Default 1000 responses. */
  maxEntries?: number;
  /** Default 64 MiB. */
  maxBytes?: number;
  /** Default one hour after the response was stored. */
  ttlMs?: number;
  /** Milliseconds now (tests pass a fake). */
  clock?: () => number;
}

interface Entry {
  value: StoredResponse;
  bytes: number;
  expiresAt: number;
}

/** A bounded, in-memory map of response id → stored response; least recently used entries go first. */
export class ResponsesStore {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly ttlMs: number;
  private readonly clock: () => number;

  constructor(o: ResponsesStoreOptions = {}) {
    this.maxEntries = o.maxEntries ?? 1000;
    this.maxBytes = o.maxBytes ?? 64 * 1024 * 1024;
    this.ttlMs = o.ttlMs ?? 60 * 60 * 1000;
    this.clock = o.clock ?? Date.now;
  }

  /** Number of responses held now. */
  get size(): number {
    this.expire();
    return this.entries.size;
  }

  /** Keeps `value` under `id`; a conversation larger than the whole budget is not kept. */
  put(id: string, value: StoredResponse): void {
    this.remove(id);
    // UTF-16 length of the JSON: a cheap, stable measure that grows with what is held.
    const bytes = JSON.stringify(value.conversation).length + JSON.stringify(value.response).length;
    if (bytes > this.maxBytes) return;
    this.entries.set(id, { value, bytes, expiresAt: this.clock() + this.ttlMs });
    this.bytes += bytes;
    this.expire();
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.remove(oldest);
    }
  }

  /** The response stored under `id`, or undefined when unknown or expired; marks it recently used. */
  get(id: string): StoredResponse | undefined {
    this.expire();
    const e = this.entries.get(id);
    if (!e) return undefined;
    this.entries.delete(id);
    this.entries.set(id, e);
    return e.value;
  }

  /** Forgets `id`; true when it was held. */
  delete(id: string): boolean {
    this.expire();
    return this.remove(id);
  }

  private remove(id: string): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    this.entries.delete(id);
    this.bytes -= e.bytes;
    return true;
  }

  private expire(): void {
    const now = this.clock();
    for (const [id, e] of this.entries) if (e.expiresAt <= now) this.remove(id);
  }
}
