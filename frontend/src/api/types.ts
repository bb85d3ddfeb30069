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
}

export type AnswerEndpoint = "/chat/stream" | "/ask/stream";
