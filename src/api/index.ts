/** The HTTP layer: the app factory and its error mapper. */
export { type App, type AppDeps, createApp, createFetchHandler } from "./app.ts";
export { errorAnswer, errorResponse } from "./errors.ts";
