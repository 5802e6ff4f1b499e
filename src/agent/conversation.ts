// Conversations stored without quadratic growth: every message is stored once in the content-addressed
// artifact store, and a conversation is a chain of nodes {parent, message}, so the journal of a model call
// keeps one hash (the chain's head) however long the history it sent. Later calls share the earlier nodes.
import { createHash } from "node:crypto";
import type { ContextServices } from "../core/index.js";
import { DuroError } from "../core/index.js";
import type { ChatMessage } from "./provider.js";

interface Node {
  parent: string | null;
  message: string;
}

const encoder = new TextEncoder();

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Remembers what this process already stored, so a turn stores only its new messages. */
export class ConversationStore {
  private readonly known = new Set<string>();
  /** message object → its node under a given parent, so an unchanged history is not hashed again. */
  private readonly nodes = new WeakMap<ChatMessage, { parent: string | null; node: string }>();

  constructor(private readonly services: ContextServices) {}

  /** Stores the messages not stored yet and returns the hash of the chain's head. */
  async put(messages: readonly ChatMessage[]): Promise<string | null> {
    let parent: string | null = null;
    for (const message of messages) {
      const cached = this.nodes.get(message);
      if (cached && cached.parent === parent) {
        parent = cached.node;
        continue;
      }
      const json = JSON.stringify(message);
      const messageHash = sha256(json);
      if (!this.known.has(messageHash)) {
        await this.store(json, messageHash);
      }
      const nodeJson = JSON.stringify({ parent, message: messageHash } satisfies Node);
      const nodeHash = sha256(nodeJson);
      if (!this.known.has(nodeHash)) await this.store(nodeJson, nodeHash);
      this.nodes.set(message, { parent, node: nodeHash });
      parent = nodeHash;
    }
    return parent;
  }

  private async store(json: string, expected: string): Promise<void> {
    const hash = await this.services.putArtifact(encoder.encode(json));
    if (hash !== expected)
      throw new DuroError("artifact_hash_mismatch", `artifact store returned ${hash} for ${expected}`, { category: "storage" });
    this.known.add(hash);
  }
}

/** Reads a conversation back from its head hash, oldest message first. */
export async function loadConversation(services: Pick<ContextServices, "getArtifact">, head: string | null): Promise<ChatMessage[]> {
  const messages: ChatMessage[] = [];
  const decoder = new TextDecoder();
  for (let hash = head; hash !== null; ) {
    const node = await read<Node>(services, hash);
    messages.push(await read<ChatMessage>(services, node.message));
    hash = node.parent;
  }
  return messages.reverse();

  async function read<T>(s: Pick<ContextServices, "getArtifact">, hash: string): Promise<T> {
    const bytes = await s.getArtifact(hash);
    if (!bytes) throw new DuroError("artifact_missing", `conversation artifact ${hash} is missing from the store`, { category: "storage" });
    return JSON.parse(decoder.decode(bytes)) as T;
  }
}
