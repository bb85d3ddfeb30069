/**
 * The HTTP client: `/config`, `/auth_setup`, the streamed answer routes and `/content`.
 * (`history.ts` and `uploads.ts` hold the routes of saved conversations and uploads.)
 *
 * Every call but the two open set-up routes carries `Authorization: Bearer <token>` when someone
 * is signed in (see `setTokenSource`); a 401 renews the token once and tries again.
 */
import { t } from "../i18n";
import { NdjsonParseError, NdjsonTruncatedError, readNdjson } from "./ndjson";
import type { AnswerEndpoint, AppConfig, AuthSetup, ChatRequest, StreamLine } from "./types";

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

/**
 * The network failed: the request never reached the server (`midAnswer` false), or the
 * connection dropped while the answer streamed (the server restarted, the Wi-Fi went).
 */
export class ConnectionError extends ApiError {
  constructor(
    readonly midAnswer: boolean,
    requestId: string | null = null,
  ) {
    super(midAnswer ? t.errors.connectionLost : t.errors.network, null, requestId);
    this.name = "ConnectionError";
  }
}

export const DEFAULT_CONFIG: AppConfig = {
  showSemanticRankerOption: false,
  showVectorOption: false,
  showPromptTemplateOption: false,
  showLanguagePicker: false,
  answersFollowUiLanguage: false,
  showChatHistoryBrowser: true,
  showChatHistoryServer: false,
  chatHistoryBackend: "browser",
  showFeedback: false,
  showSpeechInput: false,
  showSpeechOutputBrowser: false,
  showSpeechOutputAzure: false,
  streamingEnabled: true,
  defaultRetrievalMode: "text",
  notice: null,
  authEnabled: false,
  loginRequired: false,
  showUserUpload: false,
  uploadMaxBytes: 10 * 1024 * 1024,
  uploadExtensions: [],
};

export const NO_LOGIN: AuthSetup = {
  useLogin: false,
  provider: "none",
  requireAccessControl: false,
  enableUnauthenticatedAccess: true,
  msalConfig: null,
  loginRequest: null,
  tokenRequest: null,
  oidcConfig: null,
};

/** Where requests get their bearer token: the signed-in session (src/auth), or nobody. */
export interface TokenSource {
  /** The access token, null when signed out; throws when signed in but no token can be had. */
  getToken(options?: { refresh?: boolean }): Promise<string | null>;
  /** The server refused the token and renewing it did not help. */
  onExpired(): void;
}

let tokens: TokenSource | null = null;

/** Send the signed-in user's token with every request from now on (null: send none). */
export function setTokenSource(source: TokenSource | null): void {
  tokens = source;
}

/**
 * Run a request with the bearer token; on a 401 renew the token once and run it again.
 * Throws the "sign in again" ApiError when there is no fresh token or it is refused too.
 */
export async function withToken<T extends { status: number }>(
  run: (token: string | null) => Promise<T>,
): Promise<T> {
  const source = tokens;
  const token = source ? await tokenFrom(source, false) : null;
  const response = await run(token);
  if (response.status !== 401 || !source || !token) return response;
  const retried = await run(await tokenFrom(source, true));
  if (retried.status === 401) {
    source.onExpired();
    throw new ApiError(t.auth.expired, 401);
  }
  return retried;
}

async function tokenFrom(source: TokenSource, refresh: boolean): Promise<string | null> {
  try {
    const token = await source.getToken(refresh ? { refresh } : undefined);
    if (token || !refresh) return token;
  } catch {
    // The identity library could not renew silently: the person has to sign in again.
  }
  source.onExpired();
  throw new ApiError(t.auth.expired, 401);
}

/** The headers of `init` plus the bearer token, if any. */
export function withBearer(headers: HeadersInit | undefined, token: string | null): Headers {
  const result = new Headers(headers);
  if (token) result.set("Authorization", `Bearer ${token}`);
  return result;
}

/** What this server supports (`GET /config`), over the defaults for any missing field. */
export async function fetchConfig(signal?: AbortSignal): Promise<AppConfig> {
  const response = await send("/config", { signal }, { auth: false });
  const body = (await response.json()) as Partial<AppConfig>;
  return { ...DEFAULT_CONFIG, ...body };
}

/** How this server signs people in (`GET /auth_setup`), over "no login" for missing fields. */
export async function fetchAuthSetup(signal?: AbortSignal): Promise<AuthSetup> {
  const response = await send("/auth_setup", { signal }, { auth: false });
  const body = (await response.json()) as Partial<AuthSetup>;
  return { ...NO_LOGIN, ...body };
}

/** A cited file's bytes and media type from `/content/...` (any `#page=N` is dropped). */
export async function fetchContent(
  href: string,
  signal?: AbortSignal,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; type: string }> {
  const url = href.split("#")[0] ?? href;
  try {
    const response = await send(url, { signal });
    const bytes = new Uint8Array(await response.arrayBuffer());
    return { bytes, type: response.headers.get("Content-Type") ?? "" };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      throw new ApiError(t.evidence.notAvailable, 404, error.requestId);
    }
    throw error;
  }
}

/**
 * Post a question and yield the answer's NDJSON lines; an `{"error"}` line throws ApiError, a
 * connection lost on the way (the body fails, or ends mid-line) throws ConnectionError.
 * `onLine` sees every line as received, the error line too (to save the answer as it came).
 */
export async function* streamAnswer(
  endpoint: AnswerEndpoint,
  request: ChatRequest,
  signal?: AbortSignal,
  onLine?: (line: StreamLine) => void,
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
      onLine?.(line);
      if (typeof line.error === "string") throw new ApiError(line.error, null, requestId);
      yield line;
    }
  } catch (error) {
    if (error instanceof NdjsonParseError) throw new ApiError(t.errors.badStream, null, requestId);
    if (error instanceof ApiError || isAbort(error)) throw error;
    // What else reading the body throws is the network's TypeError, or a line cut short.
    if (error instanceof NdjsonTruncatedError || error instanceof TypeError) {
      throw new ConnectionError(true, requestId);
    }
    throw error;
  }
}

/** Fetch with the token (unless `auth: false`); an error status throws ApiError. */
export async function send(
  url: string,
  init: RequestInit,
  { auth = true }: { auth?: boolean } = {},
): Promise<Response> {
  const once = async (token: string | null) => {
    try {
      return await fetch(url, { ...init, headers: withBearer(init.headers, token) });
    } catch (error) {
      if (isAbort(error)) throw error;
      throw new ConnectionError(false);
    }
  };
  const response = auth ? await withToken(once) : await once(null);
  if (!response.ok) {
    const requestId = response.headers.get("X-Request-ID");
    throw new ApiError(
      errorMessage(await response.text(), response.status),
      response.status,
      requestId,
    );
  }
  return response;
}

/** The server's `{"error"}` message from a body, else a generic one naming the status. */
export function errorMessage(body: string, status: number): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown } | null;
    if (typeof parsed?.error === "string" && parsed.error) return parsed.error;
  } catch {
    // Not JSON (a proxy's error page, say): fall through to the generic message.
  }
  return t.errors.status(status);
}

/** Whether an error comes from an aborted request. */
export function isAbort(error: unknown): boolean {
  // By name: the DOMException class differs between realms (and test environments).
  return (
    typeof error === "object" && error !== null && "name" in error && error.name === "AbortError"
  );
}
