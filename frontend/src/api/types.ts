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
  };
  session_state?: unknown;
  error?: string;
}

/** `GET /config`: what this server supports. */
export interface AppConfig {
  showSemanticRankerOption: boolean;
  showVectorOption: boolean;
  showPromptTemplateOption: boolean;
  showLanguagePicker: boolean;
  showChatHistoryBrowser: boolean;
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
