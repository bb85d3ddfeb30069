import { describe, expect, it } from "vitest";

import { DEFAULT_CONFIG } from "../api/client";
import type { AppConfig } from "../api/types";
import {
  BOUNDS,
  clamp,
  DEFAULT_SETTINGS,
  effectiveRetrievalMode,
  loadSettings,
  normalizeSettings,
  saveSettings,
  SETTINGS_KEY,
  toOverrides,
  visibleOptions,
} from "./settings";

const offline: AppConfig = { ...DEFAULT_CONFIG, defaultRetrievalMode: "text" };
const azure: AppConfig = {
  ...DEFAULT_CONFIG,
  showSemanticRankerOption: true,
  showVectorOption: true,
  showPromptTemplateOption: true,
  showLanguagePicker: true,
  defaultRetrievalMode: "hybrid",
};

describe("bounds", () => {
  it("clamps to the contract's ranges and rounds integers", () => {
    expect(clamp(0, BOUNDS.top)).toBe(1);
    expect(clamp(51, BOUNDS.top)).toBe(50);
    expect(clamp(2.6, BOUNDS.top)).toBe(3);
    expect(clamp(-1, BOUNDS.temperature)).toBe(0);
    expect(clamp(2.5, BOUNDS.temperature)).toBe(2);
    expect(clamp(0.7, BOUNDS.temperature)).toBe(0.7);
    expect(clamp(2 ** 40, BOUNDS.seed)).toBe(2 ** 31 - 1);
    expect(clamp(9, BOUNDS.minimumRerankerScore)).toBe(4);
    expect(clamp(-3, BOUNDS.minimumSearchScore)).toBe(0);
    expect(clamp(Number.NaN, BOUNDS.top)).toBeNull();
    expect(clamp("3", BOUNDS.top)).toBeNull();
  });

  it("normalizes stored settings: bad values reset, numbers clamp, unknown keys drop", () => {
    expect(
      normalizeSettings({
        retrievalMode: "magic",
        top: 500,
        temperature: "hot",
        seed: -5,
        semanticRanker: "yes",
        includeCategory: "x".repeat(500),
        extra: true,
      }),
    ).toEqual({
      ...DEFAULT_SETTINGS,
      top: 50,
      seed: 0,
      includeCategory: "x".repeat(100),
    });
    expect(normalizeSettings(null)).toEqual(DEFAULT_SETTINGS);
  });
});

describe("persistence", () => {
  it("saves to and loads from localStorage", () => {
    saveSettings({ ...DEFAULT_SETTINGS, top: 7, language: "French" });
    expect(JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? "{}")).toMatchObject({ top: 7 });
    expect(loadSettings()).toEqual({ ...DEFAULT_SETTINGS, top: 7, language: "French" });
  });

  it("falls back to the defaults for missing or corrupt storage", () => {
    expect(loadSettings()).toEqual(DEFAULT_SETTINGS);
    localStorage.setItem(SETTINGS_KEY, "{not json");
    expect(loadSettings()).toEqual(DEFAULT_SETTINGS);
    expect(loadSettings(null)).toEqual(DEFAULT_SETTINGS);
  });
});

describe("options per server", () => {
  it("offers only text retrieval and no Azure-only options offline", () => {
    expect(visibleOptions(offline)).toEqual({
      retrievalModes: ["text"],
      semanticRanker: false,
      promptTemplate: false,
      language: false,
      answersFollowUiLanguage: false,
    });
    expect(visibleOptions(azure).retrievalModes).toEqual(["hybrid", "text", "vectors"]);
  });

  it("uses the server's default mode until one is chosen, and a saved mode only if offered", () => {
    expect(effectiveRetrievalMode(DEFAULT_SETTINGS, azure)).toBe("hybrid");
    const vectors = { ...DEFAULT_SETTINGS, retrievalMode: "vectors" as const };
    expect(effectiveRetrievalMode(vectors, azure)).toBe("vectors");
    expect(effectiveRetrievalMode(vectors, offline)).toBe("text");
  });

  it("sends only what the server supports", () => {
    const everything = {
      ...DEFAULT_SETTINGS,
      retrievalMode: "vectors" as const,
      semanticCaptions: true,
      minimumRerankerScore: 2,
      temperature: 0.3,
      seed: 42,
      minimumSearchScore: 0.5,
      includeCategory: " hr ",
      excludeCategory: "",
      promptTemplate: ">>> Be brief.",
      language: "German",
    };
    expect(toOverrides(everything, offline)).toEqual({
      retrieval_mode: "text",
      top: 3,
      suggest_followup_questions: true,
      temperature: 0.3,
      seed: 42,
      minimum_search_score: 0.5,
      include_category: "hr",
    });
    expect(toOverrides(everything, azure)).toEqual({
      retrieval_mode: "vectors",
      top: 3,
      suggest_followup_questions: true,
      semantic_ranker: true,
      semantic_captions: true,
      minimum_reranker_score: 2,
      temperature: 0.3,
      seed: 42,
      minimum_search_score: 0.5,
      include_category: "hr",
      prompt_template: ">>> Be brief.",
      language: "German",
    });
  });

  it("asks for answers in the UI language when the server follows it, unless a setting says", () => {
    const model = { ...azure, answersFollowUiLanguage: true };
    expect(toOverrides(DEFAULT_SETTINGS, model, "Arabic").language).toBe("Arabic");
    expect(toOverrides({ ...DEFAULT_SETTINGS, language: "Dutch" }, model, "Arabic").language).toBe(
      "Dutch",
    );
    // The extractive answerer quotes the documents as written: no language to ask for.
    expect(toOverrides(DEFAULT_SETTINGS, offline, "Arabic")).not.toHaveProperty("language");
    expect(toOverrides(DEFAULT_SETTINGS, azure, "Arabic")).not.toHaveProperty("language");
  });

  it("sends no reranker options when the semantic ranker is turned off", () => {
    const off = {
      ...DEFAULT_SETTINGS,
      semanticRanker: false,
      semanticCaptions: true,
      minimumRerankerScore: 1,
    };
    expect(toOverrides(off, azure)).toMatchObject({
      semantic_ranker: false,
      semantic_captions: false,
    });
    expect(toOverrides(off, azure)).not.toHaveProperty("minimum_reranker_score");
  });
});
