/** Errors of the web UI's build and loading. */
import { TsllmError } from "../errors.ts";

/** The UI could not be built (development) or read from the executable: HTTP 500 on /ui. */
export class UiUnavailableError extends TsllmError {
  constructor(detail: string) {
    super(`web UI unavailable: ${detail}`, { code: "ui_unavailable", status: 500 });
  }
}
