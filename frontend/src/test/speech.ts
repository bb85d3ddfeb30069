/**
 * A fake Web Speech API for tests: a recogniser the test makes hear things, a synthesis that
 * records what it was asked to say, and an `Audio` that records what it was given to play.
 * `installFakeSpeech()` puts them on `window` (restored by vitest's `unstubAllGlobals`).
 */
import { vi } from "vitest";

export class FakeRecognition extends EventTarget {
  static instances: FakeRecognition[] = [];
  lang = "";
  continuous = true;
  interimResults = false;
  maxAlternatives = 5;
  started = false;
  aborted = false;
  stopped = false;
  onresult: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onend: ((event: Event) => void) | null = null;

  constructor() {
    super();
    FakeRecognition.instances.push(this);
  }

  start(): void {
    this.started = true;
  }

  stop(): void {
    this.stopped = true;
  }

  abort(): void {
    this.aborted = true;
  }

  /** The recogniser heard `phrases` (one result each; `final` marks them done). */
  hear(phrases: readonly string[], final = false): void {
    const results = phrases.map((transcript) =>
      Object.assign([{ transcript, confidence: 0.9 }], { isFinal: final }),
    );
    this.onresult?.({ resultIndex: 0, results });
  }

  fail(error: string): void {
    this.onerror?.({ error, message: "" });
  }

  end(): void {
    this.onend?.(new Event("end"));
  }

  static last(): FakeRecognition {
    const last = FakeRecognition.instances.at(-1);
    if (!last) throw new Error("no recogniser was made");
    return last;
  }
}

export class FakeUtterance {
  lang = "";
  voice: unknown = null;
  onend: (() => void) | null = null;
  onerror: ((event: { error: string }) => void) | null = null;
  constructor(readonly text: string) {}
}

export function fakeSynthesis() {
  return {
    spoken: [] as FakeUtterance[],
    cancelled: 0,
    speak(utterance: FakeUtterance) {
      this.spoken.push(utterance);
    },
    cancel() {
      this.cancelled += 1;
    },
    getVoices() {
      return [
        { lang: "en-US", name: "English" },
        { lang: "es-ES", name: "Español" },
      ];
    },
    /** The last utterance asked for ends, as if spoken to the end. */
    finish() {
      this.spoken.at(-1)?.onend?.();
    },
  };
}

export class FakeAudio {
  static instances: FakeAudio[] = [];
  played = false;
  paused = false;
  onended: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly src: string) {
    FakeAudio.instances.push(this);
  }
  play(): Promise<void> {
    this.played = true;
    return Promise.resolve();
  }
  pause(): void {
    this.paused = true;
  }
}

/** The fakes on `window`; what is left out (`recognition: false`, ...) is absent. */
export function installFakeSpeech({ recognition = true, synthesis = true } = {}) {
  FakeRecognition.instances = [];
  FakeAudio.instances = [];
  const speech = fakeSynthesis();
  vi.stubGlobal("webkitSpeechRecognition", recognition ? FakeRecognition : undefined);
  vi.stubGlobal("SpeechRecognition", undefined);
  vi.stubGlobal("speechSynthesis", synthesis ? speech : undefined);
  vi.stubGlobal("SpeechSynthesisUtterance", synthesis ? FakeUtterance : undefined);
  vi.stubGlobal("Audio", FakeAudio);
  let objectUrls = 0;
  vi.spyOn(URL, "createObjectURL").mockImplementation(() => `blob:fake/${++objectUrls}`);
  vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => undefined);
  return speech;
}
