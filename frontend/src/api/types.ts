/** Types of the HTTP contract (docs/http-api.md). */

export type RetrievalMode = "text" | "vectors" | "hybrid";

export interface ChatMessage {
  role: "user" | "assistant";
  content: string;
}

export interface Overrides {
  retrieval_mode?: RetrievalMode;
  semantic_ranker?: boolean;
  semantic_captions?: boolean;
  top?: number;
  temperature?: number;
  seed?: number;
  minimum_search_score?: number;
  minimum_reranker_score?: number;
  include_category?: string;
  exclude_category?: string;
  suggest_followup_questions?: boolean;
  prompt_template?: string;
  language?: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  context: { overrides: Overrides };
  session_state: unknown;
}

export interface Thought {
  title: string;
  description: unknown;
  props?: Record<string, unknown>;
}

export interface DataPoints {
  text: string[];
  citations: string[];
}

/** One line of an NDJSON answer stream. */
export interface StreamLine {
  delta?: { role: "assistant"; content?: string };
  context?: {
    data_points?: DataPoints;
    thoughts?: Thought[];
    followup_questions?: string[] | null;
    /** Thoughts to add to those of the first line (why follow-ups are missing). */
    thoughts_added?: Thought[];
  };
  session_state?: unknown;
  /** `"length"`: the model stopped at the answer's token bound, so the answer is cut. */
  finish_reason?: string;
  error?: string;
}

/** `GET /config`: what this server supports. */
export interface AppConfig {
  showSemanticRankerOption: boolean;
  showVectorOption: boolean;
  showPromptTemplateOption: boolean;
  /** The developer setting "Answer language" (a language model is configured). */
  showLanguagePicker: boolean;
  /**
   * Answers are written in the UI's language (`overrides.language`): true with a language model,
   * false with the extractive answerer, which quotes the documents as they are written.
   */
  answersFollowUiLanguage: boolean;
  /** Conversations are kept in this browser's IndexedDB (CHAT_HISTORY=browser). */
  showChatHistoryBrowser: boolean;
  /** Conversations are kept on the server (`/chat_history`), per user (issue 10). */
  showChatHistoryServer: boolean;
  chatHistoryBackend: "browser" | "local" | "cosmos";
  /** The browser's speech recognition may fill the question box (where it has one). */
  showSpeechInput: boolean;
  /** The browser's voices may read answers aloud (where it has them). */
  showSpeechOutputBrowser: boolean;
  /** `POST /speech` reads answers aloud (Azure AI Speech), in place of the browser's voices. */
  showSpeechOutputAzure: boolean;
  /** Answers take a thumbs up or down (`POST /feedback`). */
  showFeedback: boolean;
  streamingEnabled: boolean;
  defaultRetrievalMode: RetrievalMode;
  chatProvider?: string;
  languageModel?: string | null;
  searchBackend?: string;
  notice?: string | null;
  /** Login is configured on the server (issue 9). */
  authEnabled: boolean;
  /** Anonymous callers are refused: show a sign-in screen instead of the chat. */
  loginRequired: boolean;
  /** Signed-in users may upload their own documents. */
  showUserUpload: boolean;
  uploadMaxBytes: number;
  /** Lower-case file extensions with the dot, e.g. `.pdf`. */
  uploadExtensions: string[];
}

/** `GET /auth_setup`: how the SPA signs people in. */
export interface AuthSetup {
  useLogin: boolean;
  provider: "none" | "entra" | "oidc";
  requireAccessControl: boolean;
  enableUnauthenticatedAccess: boolean;
  msalConfig: MsalSetup | null;
  loginRequest: { scopes: string[] } | null;
  tokenRequest: { scopes: string[] } | null;
  oidcConfig: OidcSetup | null;
}

export interface MsalSetup {
  auth: {
    clientId: string;
    authority: string;
    /** Relative to the SPA's origin, like every redirect URI here. */
    redirectUri: string;
    postLogoutRedirectUri: string;
  };
  cache?: { cacheLocation?: string };
}

export interface OidcSetup {
  authority: string;
  client_id: string;
  scope: string;
  redirect_uri: string;
  post_logout_redirect_uri: string;
  /** Optional (RFC 8707): the API the access token is for, when the issuer needs asking. */
  resource?: string;
  extraQueryParams?: Record<string, string>;
}

/** `POST /upload`'s answer. */
export interface UploadResult {
  message: string;
  filename: string;
  chunks: number;
}

export type AnswerEndpoint = "/chat/stream" | "/ask/stream";

/**
 * One answer as `POST /chat_history` keeps it: the demo's message and context, plus what this
 * SPA needs to show the turn again exactly (the stream lines, the settings, how it ended).
 */
export interface StoredResponse {
  message: { role: "assistant"; content: string };
  context: {
    data_points: DataPoints | null;
    thoughts: Thought[];
    followup_questions: string[];
  };
  session_state: unknown;
  /** Every NDJSON line of the answer, as received (absent for answers saved before issue 10). */
  events?: StreamLine[];
  /** The overrides the question was sent with. */
  settings?: Overrides;
  status: "done" | "stopped" | "error";
  error: string | null;
  /** The failed request's `X-Request-ID`. */
  error_id?: string | null;
  /** `"length"` when the answer was cut at its token bound, as `/chat` says it. */
  finish_reason?: string;
}

/** `GET /chat_history/sessions`: one page, newest first. */
export interface SessionsPage {
  sessions: { id: string; entra_oid: string | null; title: string; timestamp: number }[];
  continuation_token: string | null;
}

/** `GET /chat_history/sessions/<id>`. Answers are `[question, response]`, as any client saved. */
export interface StoredSession {
  id: string;
  title: string;
  timestamp: number;
  created: number;
  answers: unknown[];
}

/** `POST /chat_history`, `PATCH /chat_history/sessions/<id>`: what the server now holds. */
export interface SavedSession {
  id: string;
  title: string;
  timestamp: number;
}

/** `POST /feedback`; the copies of what is rated are read only with CHAT_HISTORY=browser. */
export interface FeedbackRequest {
  session_id: string;
  answer_index: number;
  rating: "up" | "down";
  comment: string;
  question?: string;
  answer?: string;
  citations?: string[];
  settings?: Overrides;
}
