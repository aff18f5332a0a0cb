/** Request limits: body size, read timeouts, JSON depth, big-body parsing, content sizes and image counts. */
export {
  byIndex,
  byRole,
  checkChatContent,
  checkEmbedContent,
  checkGenerateContent,
  checkText,
} from "./content.ts";
export { type FetchHandler, RequestLimiter } from "./limiter.ts";
export { limitsOf } from "./scope.ts";
export { limitsFromEnv, type RequestLimits } from "./settings.ts";
