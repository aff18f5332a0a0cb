/** Prints the path of a cached synthetic model, generating it on first use. Usage: bun bench/model.ts <preset> <quant> <vocab> */
import { synthModel } from "../test/fixtures/models.ts";

const [preset = "1b", quant = "q4_0", vocab = "llama-spm"] = Bun.argv.slice(2);
console.log(await synthModel({ preset: preset as never, quant: quant as never, vocab }));
