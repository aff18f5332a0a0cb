/** The interactive session of `tsllm run`: prompts, `"""` multi-line input, slash commands, chat history. */
import { type InterruptHook, chatOnce } from "./chat.ts";
import { ApiError } from "./errors.ts";
import { INTERRUPT, type LineSource } from "./line-input.ts";
import { type ReplContext, setSystem, slashCommand } from "./repl-commands.ts";
import { isThinkError } from "./think.ts";

/** Reads lines until /bye or Ctrl+D, sending each message with the whole history to /api/chat. */
export async function repl(ctx: ReplContext, lines: LineSource): Promise<void> {
  const { io, o, client } = ctx;
  const onInterrupt: InterruptHook = (h) => lines.onInterrupt(h);
  let buf = "";
  let multiline: "none" | "prompt" | "system" = "none";
  for (;;) {
    const line = await lines.read(multiline === "none" ? ">>> " : "... ");
    if (line === null) {
      io.out.write("\n");
      return;
    }
    if (line === INTERRUPT) {
      buf = "";
      multiline = "none";
      continue;
    }
    if (multiline !== "none") {
      const ended = line.endsWith('"""');
      buf += ended ? line.slice(0, -3) : `${line}\n`;
      if (!ended) continue;
      if (multiline === "system") {
        setSystem(o, buf);
        io.out.write("Set system message.\n");
        buf = "";
        multiline = "none";
        continue;
      }
      multiline = "none";
    } else if (line.startsWith('"""')) {
      const rest = line.slice(3);
      if (rest.length >= 3 && rest.endsWith('"""')) buf += rest.slice(0, -3);
      else {
        buf += `${rest}\n`;
        multiline = "prompt";
        continue;
      }
    } else if (line.startsWith("/")) {
      const r = await slashCommand(line, ctx);
      if (r === "exit") return;
      if (r) {
        buf = `${r.system}\n`;
        multiline = "system";
      }
      continue;
    } else buf += line;

    if (!buf) continue;
    o.messages.push({ role: "user", content: buf });
    buf = "";
    try {
      const reply = await chatOnce(client, io, o, onInterrupt);
      if (reply) o.messages.push(reply);
    } catch (e) {
      // A think value the model rejects is reported and the session goes on (without that message).
      if (!(e instanceof ApiError && isThinkError(e.message))) throw e;
      io.out.write(`error: ${e.message}\n`);
      o.messages.pop();
    }
  }
}
