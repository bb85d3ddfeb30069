/**
 * The one voice of the page: at most one answer is read aloud at a time. Reading another, or
 * the same one again, stops the first; so does a new answer starting (`stopSpeaking`).
 * Through the browser's speech synthesis, or the server's Azure AI Speech (`POST /speech`)
 * played by an `Audio` element.
 */
import { useSyncExternalStore } from "react";

import { ApiError, isAbort } from "../api/client";
import { fetchSpeech } from "../api/speech";
import { browserSynthesis } from "./recognition";
import { sentenceChunks } from "./spokenText";

export type SpeechEngine = "browser" | "azure";

export interface PlayerState {
  /** Whose text is being prepared or read (a SpeakerButton's id), or null. */
  id: string | null;
  phase: "idle" | "loading" | "speaking";
  /** The last failure: whose, and the server's message (null: say the UI's own). */
  error: { id: string; message: string | null } | null;
}

const IDLE: PlayerState = { id: null, phase: "idle", error: null };
let state: PlayerState = IDLE;
let session: object | null = null;
let release: (() => void) | null = null;
const listeners = new Set<() => void>();

function publish(next: PlayerState): void {
  state = next;
  for (const listener of listeners) listener();
}

/** Stop whatever is being read (or fetched), and forget the last error. */
export function stopSpeaking(): void {
  session = null;
  const stop = release;
  release = null;
  stop?.();
  if (state !== IDLE) publish(IDLE);
}

/** Stop if `id` is the one being read (its button is going away). */
export function stopSpeakingFor(id: string): void {
  if (state.id === id || state.error?.id === id) stopSpeaking();
}

/** Read `text` for `id`, or stop if `id` is being read already: a toggle. */
export function toggleSpeaking(
  id: string,
  text: string,
  { engine, language }: { engine: SpeechEngine; language: string },
): void {
  if (state.id === id) {
    stopSpeaking();
    return;
  }
  stopSpeaking();
  const mine = {};
  session = mine;
  const finish = () => {
    if (session !== mine) return;
    session = null;
    release?.();
    release = null;
    publish(IDLE);
  };
  const fail = (message: string | null) => {
    if (session !== mine) return;
    finish();
    publish({ ...IDLE, error: { id, message } });
  };
  if (engine === "azure") playFromServer(id, text, language, finish, fail);
  else speakInBrowser(id, text, language, finish, fail);
}

function speakInBrowser(
  id: string,
  text: string,
  language: string,
  finish: () => void,
  fail: (message: string | null) => void,
): void {
  const synthesis = browserSynthesis();
  if (!synthesis) {
    fail(null);
    return;
  }
  synthesis.cancel();
  const voice = pickVoice(synthesis.getVoices(), language);
  // Sentence by sentence: Chrome stops a long utterance after about 15 seconds.
  const chunks = sentenceChunks(text);
  chunks.forEach((chunk, index) => {
    const utterance = new SpeechSynthesisUtterance(chunk);
    utterance.lang = language;
    if (voice) utterance.voice = voice;
    if (index === chunks.length - 1) utterance.onend = finish;
    utterance.onerror = (event) => {
      if (event.error !== "interrupted" && event.error !== "canceled") fail(null);
    };
    synthesis.speak(utterance);
  });
  release = () => synthesis.cancel();
  publish({ id, phase: "speaking", error: null });
}

/** A voice for `language`: of that region, else of that language, else the browser's choice. */
function pickVoice(voices: SpeechSynthesisVoice[], language: string): SpeechSynthesisVoice | null {
  const wanted = language.toLowerCase();
  const primary = wanted.split("-")[0];
  return (
    voices.find((voice) => voice.lang.toLowerCase().replace("_", "-") === wanted) ??
    voices.find((voice) => voice.lang.toLowerCase().split(/[-_]/)[0] === primary) ??
    null
  );
}

function playFromServer(
  id: string,
  text: string,
  language: string,
  finish: () => void,
  fail: (message: string | null) => void,
): void {
  const controller = new AbortController();
  let audio: HTMLAudioElement | null = null;
  let url: string | null = null;
  release = () => {
    controller.abort();
    audio?.pause();
    if (url) URL.revokeObjectURL(url);
  };
  publish({ id, phase: "loading", error: null });
  fetchSpeech(text, language, controller.signal)
    .then((blob) => {
      if (controller.signal.aborted) return;
      url = URL.createObjectURL(blob);
      audio = new Audio(url);
      audio.onended = finish;
      audio.onerror = () => fail(null);
      publish({ id, phase: "speaking", error: null });
      return audio.play();
    })
    .catch((error: unknown) => {
      if (isAbort(error) || controller.signal.aborted) return;
      fail(error instanceof ApiError ? error.message : null);
    });
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The player's state; the calling component renders again when it changes. */
export function usePlayer(): PlayerState {
  return useSyncExternalStore(subscribe, () => state);
}
