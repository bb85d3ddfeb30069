/** The HTTP client: `/config` and the streamed answer routes. */
import { t } from "../i18n";
import { NdjsonParseError, readNdjson } from "./ndjson";
import type { AnswerEndpoint, AppConfig, ChatRequest, StreamLine } from "./types";

/** An error to show a person: the server's own message when it sent one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
    /** The server's `X-Request-ID`, which its log lines carry: a reference for support. */
    readonly requestId: string | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const DEFAULT_CONFIG: AppConfig = {
  showSemanticRankerOption: false,
  showVectorOption: false,
  showPromptTemplateOption: false,
  showLanguagePicker: false,
  showChatHistoryBrowser: true,
  streamingEnabled: true,
  defaultRetrievalMode: "text",
  notice: null,
};

/** What this server supports (`GET /config`), over the defaults for any missing field. */
export async function fetchConfig(signal?: AbortSignal): Promise<AppConfig> {
  const response = await send("/config", { signal });
  const body = (await response.json()) as Partial<AppConfig>;
  return { ...DEFAULT_CONFIG, ...body };
}

/** Post a question and yield the answer's NDJSON lines; an `{"error"}` line throws ApiError. */
export async function* streamAnswer(
  endpoint: AnswerEndpoint,
  request: ChatRequest,
  signal?: AbortSignal,
): AsyncGenerator<StreamLine> {
  const response = await send(endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/x-ndjson" },
    body: JSON.stringify(request),
    signal,
  });
  const requestId = response.headers.get("X-Request-ID");
  if (!response.body) throw new ApiError(t.errors.badStream, response.status, requestId);
  try {
    for await (const value of readNdjson<unknown>(response.body)) {
      if (typeof value !== "object" || value === null) {
        throw new ApiError(t.errors.badStream, null, requestId);
      }
      const line = value as StreamLine;
      if (typeof line.error === "string") throw new ApiError(line.error, null, requestId);
      yield line;
    }
  } catch (error) {
    if (error instanceof NdjsonParseError) throw new ApiError(t.errors.badStream, null, requestId);
    throw error;
  }
}

async function send(url: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError(t.errors.network);
  }
  if (!response.ok) {
    const requestId = response.headers.get("X-Request-ID");
    throw new ApiError(await errorMessage(response), response.status, requestId);
  }
  return response;
}

async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: unknown };
    if (typeof body.error === "string" && body.error) return body.error;
  } catch {
    // Not JSON (a proxy's error page, say): fall through to the generic message.
  }
  return t.errors.status(response.status);
}

/** Whether an error comes from an aborted request. */
export function isAbort(error: unknown): boolean {
  // By name: the DOMException class differs between realms (and test environments).
  return (
    typeof error === "object" && error !== null && "name" in error && error.name === "AbortError"
  );
}
