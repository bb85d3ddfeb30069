/** Developer settings: defaults, bounds, persistence, and the overrides they become. */
import type { AppConfig, Overrides, RetrievalMode } from "../api/types";

export interface Settings {
  /** null: the server's default mode. */
  retrievalMode: RetrievalMode | null;
  semanticRanker: boolean;
  semanticCaptions: boolean;
  top: number;
  temperature: number | null;
  seed: number | null;
  minimumSearchScore: number | null;
  minimumRerankerScore: number | null;
  includeCategory: string;
  excludeCategory: string;
  suggestFollowupQuestions: boolean;
  promptTemplate: string;
  language: string;
}

export const DEFAULT_SETTINGS: Settings = {
  retrievalMode: null,
  semanticRanker: true,
  semanticCaptions: false,
  top: 3,
  temperature: null,
  seed: null,
  minimumSearchScore: null,
  minimumRerankerScore: null,
  includeCategory: "",
  excludeCategory: "",
  suggestFollowupQuestions: true,
  promptTemplate: "",
  language: "",
};

export interface Bounds {
  min: number;
  max: number;
  step: number;
  integer: boolean;
}

/** The contract's bounds (app/schemas.py `Overrides`). */
export const BOUNDS = {
  top: { min: 1, max: 50, step: 1, integer: true },
  temperature: { min: 0, max: 2, step: 0.1, integer: false },
  seed: { min: 0, max: 2 ** 31 - 1, step: 1, integer: true },
  minimumSearchScore: { min: 0, max: Number.MAX_SAFE_INTEGER, step: 0.01, integer: false },
  minimumRerankerScore: { min: 0, max: 4, step: 0.1, integer: false },
} satisfies Record<string, Bounds>;

export const MAX_CATEGORY_LENGTH = 100;
export const MAX_PROMPT_TEMPLATE_LENGTH = 10_000;
export const MAX_LANGUAGE_LENGTH = 40;

/** A number brought within bounds (rounded for integers); null for anything not a number. */
export function clamp(value: unknown, bounds: Bounds): number | null {
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  const rounded = bounds.integer ? Math.round(value) : value;
  return Math.min(bounds.max, Math.max(bounds.min, rounded));
}

const MODES: readonly RetrievalMode[] = ["hybrid", "text", "vectors"];

/** Settings from anything (stored JSON of an older version, say): unknown or bad values reset. */
export function normalizeSettings(raw: unknown): Settings {
  const value = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const bool = (key: keyof Settings, fallback: boolean) =>
    typeof value[key] === "boolean" ? value[key] : fallback;
  const text = (key: keyof Settings, max: number) =>
    typeof value[key] === "string" ? value[key].slice(0, max) : "";
  return {
    retrievalMode: MODES.find((mode) => mode === value.retrievalMode) ?? null,
    semanticRanker: bool("semanticRanker", DEFAULT_SETTINGS.semanticRanker),
    semanticCaptions: bool("semanticCaptions", DEFAULT_SETTINGS.semanticCaptions),
    top: clamp(value.top, BOUNDS.top) ?? DEFAULT_SETTINGS.top,
    temperature: clamp(value.temperature, BOUNDS.temperature),
    seed: clamp(value.seed, BOUNDS.seed),
    minimumSearchScore: clamp(value.minimumSearchScore, BOUNDS.minimumSearchScore),
    minimumRerankerScore: clamp(value.minimumRerankerScore, BOUNDS.minimumRerankerScore),
    includeCategory: text("includeCategory", MAX_CATEGORY_LENGTH),
    excludeCategory: text("excludeCategory", MAX_CATEGORY_LENGTH),
    suggestFollowupQuestions: bool(
      "suggestFollowupQuestions",
      DEFAULT_SETTINGS.suggestFollowupQuestions,
    ),
    promptTemplate: text("promptTemplate", MAX_PROMPT_TEMPLATE_LENGTH),
    language: text("language", MAX_LANGUAGE_LENGTH),
  };
}

export const SETTINGS_KEY = "ragchat.settings.v1";

/** The saved settings, or the defaults. */
export function loadSettings(storage: Storage | null = safeLocalStorage()): Settings {
  try {
    const saved = storage?.getItem(SETTINGS_KEY);
    return normalizeSettings(saved ? JSON.parse(saved) : {});
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

/** Save the settings; a full or blocked storage is not an error worth showing. */
export function saveSettings(
  settings: Settings,
  storage: Storage | null = safeLocalStorage(),
): void {
  try {
    storage?.setItem(SETTINGS_KEY, JSON.stringify(settings));
  } catch {
    // Private browsing or quota: the settings last for this page only.
  }
}

/** localStorage, or null where the browser refuses it. */
export function safeLocalStorage(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.localStorage;
  } catch {
    return null;
  }
}

/** Which options this server supports, from `/config`. */
export interface VisibleOptions {
  retrievalModes: RetrievalMode[];
  semanticRanker: boolean;
  promptTemplate: boolean;
  language: boolean;
  /** Answers are asked for in the UI's language unless the setting names another. */
  answersFollowUiLanguage: boolean;
}

export function visibleOptions(config: AppConfig): VisibleOptions {
  return {
    retrievalModes: config.showVectorOption ? ["hybrid", "text", "vectors"] : ["text"],
    semanticRanker: config.showSemanticRankerOption,
    promptTemplate: config.showPromptTemplateOption,
    language: config.showLanguagePicker,
    answersFollowUiLanguage: config.answersFollowUiLanguage,
  };
}

/** Which speech the UI offers (`/config`, where the browser has the API): a microphone for
 * questions, and who reads answers aloud (the server's Azure AI Speech, the browser, nobody). */
export interface SpeechOptions {
  input: boolean;
  output: "azure" | "browser" | null;
}

export function speechOptions(
  config: Pick<AppConfig, "showSpeechInput" | "showSpeechOutputBrowser" | "showSpeechOutputAzure">,
  browser: { recognition: boolean; synthesis: boolean; audio: boolean },
): SpeechOptions {
  const output =
    config.showSpeechOutputAzure && browser.audio
      ? "azure"
      : config.showSpeechOutputBrowser && browser.synthesis
        ? "browser"
        : null;
  return { input: config.showSpeechInput && browser.recognition, output };
}

/** The mode the UI shows as chosen: the saved one if this server offers it, else its default. */
export function effectiveRetrievalMode(settings: Settings, config: AppConfig): RetrievalMode {
  const modes = visibleOptions(config).retrievalModes;
  if (settings.retrievalMode && modes.includes(settings.retrievalMode)) {
    return settings.retrievalMode;
  }
  return modes.includes(config.defaultRetrievalMode) ? config.defaultRetrievalMode : "text";
}

/**
 * The request's `context.overrides`: only what is set and what this server supports. The answer
 * language is the setting's, else `uiLanguage` (its English name) when the server follows it.
 */
export function toOverrides(settings: Settings, config: AppConfig, uiLanguage?: string): Overrides {
  const visible = visibleOptions(config);
  const overrides: Overrides = {
    retrieval_mode: effectiveRetrievalMode(settings, config),
    top: settings.top,
    suggest_followup_questions: settings.suggestFollowupQuestions,
  };
  if (visible.semanticRanker) {
    overrides.semantic_ranker = settings.semanticRanker;
    overrides.semantic_captions = settings.semanticRanker && settings.semanticCaptions;
    if (settings.semanticRanker && settings.minimumRerankerScore !== null) {
      overrides.minimum_reranker_score = settings.minimumRerankerScore;
    }
  }
  if (settings.temperature !== null) overrides.temperature = settings.temperature;
  if (settings.seed !== null) overrides.seed = settings.seed;
  if (settings.minimumSearchScore !== null) {
    overrides.minimum_search_score = settings.minimumSearchScore;
  }
  const include = settings.includeCategory.trim();
  const exclude = settings.excludeCategory.trim();
  if (include) overrides.include_category = include;
  if (exclude) overrides.exclude_category = exclude;
  if (visible.promptTemplate && settings.promptTemplate.trim()) {
    overrides.prompt_template = settings.promptTemplate;
  }
  const language =
    (visible.language && settings.language) ||
    (visible.answersFollowUiLanguage ? uiLanguage : undefined);
  if (language) overrides.language = language;
  return overrides;
}
