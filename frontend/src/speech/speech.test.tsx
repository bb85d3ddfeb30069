/** The microphone and speaker buttons, in the question box and on answers, with the Web Speech
 * API faked (src/test/speech.ts) and `/speech` answered by a stubbed fetch. */
import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactNode } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { Answer } from "../components/Answer";
import { QuestionInput } from "../components/QuestionInput";
import type { Answer as AnswerData } from "../lib/answer";
import { speechOptions, type SpeechOptions } from "../lib/settings";
import { FakeAudio, FakeRecognition, installFakeSpeech } from "../test/speech";
import { stopSpeaking } from "./player";
import { SpeechContext } from "./SpeechContext";

const BROWSER: SpeechOptions = { input: true, output: "browser" };
const AZURE: SpeechOptions = { input: true, output: "azure" };
const CONTENT = "You get **14 weeks** of leave [pto-leave-policy.html]. Ask HR for the form.";

function answer(change: Partial<AnswerData> = {}): AnswerData {
  return {
    content: CONTENT,
    dataPoints: { text: [], citations: ["pto-leave-policy.html"] },
    thoughts: [],
    followups: [],
    status: "done",
    error: null,
    ...change,
  };
}

function withSpeech(options: SpeechOptions, children: ReactNode) {
  return <SpeechContext value={options}>{children}</SpeechContext>;
}

function renderAnswers(options: SpeechOptions, answers: AnswerData[]) {
  const props = { onCitation: vi.fn(), onShowEvidence: vi.fn() };
  const view = render(
    withSpeech(
      options,
      answers.map((data, i) => <Answer key={i} answer={data} {...props} />),
    ),
  );
  return {
    ...view,
    rerenderAnswers: (next: AnswerData[]) =>
      view.rerender(
        withSpeech(
          options,
          next.map((data, i) => <Answer key={i} answer={data} {...props} />),
        ),
      ),
  };
}

function speakers() {
  return screen.getAllByRole("button", { name: "Read the answer aloud" });
}

beforeEach(() => {
  document.documentElement.lang = "en";
});

afterEach(() => {
  act(() => stopSpeaking());
  vi.unstubAllGlobals();
  document.documentElement.lang = "";
});

describe("speech options", () => {
  it("offers what the server allows and the browser has, Azure before the browser's voices", () => {
    const all = {
      showSpeechInput: true,
      showSpeechOutputBrowser: true,
      showSpeechOutputAzure: true,
    };
    const browser = { recognition: true, synthesis: true, audio: true };
    expect(speechOptions(all, browser)).toEqual({ input: true, output: "azure" });
    expect(speechOptions({ ...all, showSpeechOutputAzure: false }, browser)).toEqual(BROWSER);
    expect(
      speechOptions({ ...all, showSpeechOutputAzure: false }, { ...browser, synthesis: false }),
    ).toEqual({ input: true, output: null });
    expect(speechOptions({ ...all, showSpeechInput: false }, browser).input).toBe(false);
    expect(speechOptions(all, { ...browser, recognition: false }).input).toBe(false);
  });
});

describe("MicrophoneButton in the question box", () => {
  function renderInput(options = BROWSER, busy = false) {
    const onSubmit = vi.fn();
    const view = render(
      withSpeech(options, <QuestionInput onSubmit={onSubmit} onStop={vi.fn()} busy={busy} />),
    );
    return { onSubmit, view };
  }

  it("fills the question box with what is heard, in the UI's language", async () => {
    installFakeSpeech();
    document.documentElement.lang = "es";
    const { onSubmit } = renderInput();
    const box = screen.getByRole("textbox", { name: "Your question" });
    await userEvent.type(box, "Pregunta:");
    const mic = screen.getByRole("button", { name: "Ask by voice" });
    expect(mic).toHaveAttribute("aria-pressed", "false");
    await userEvent.click(mic);
    const recognition = FakeRecognition.last();
    expect(recognition.started).toBe(true);
    expect(recognition.lang).toBe("es-ES");
    expect(recognition.interimResults).toBe(true);
    expect(mic).toHaveAttribute("aria-pressed", "true");
    expect(box).toHaveAttribute("placeholder", expect.stringContaining("Listening"));
    expect(screen.getByRole("status")).toHaveTextContent("Listening");

    act(() => recognition.hear(["¿cuántas semanas"]));
    expect(box).toHaveValue("Pregunta: ¿cuántas semanas");
    act(() => recognition.hear(["¿cuántas semanas", " de permiso?"], true));
    expect(box).toHaveValue("Pregunta: ¿cuántas semanas de permiso?");
    act(() => recognition.end());
    expect(mic).toHaveAttribute("aria-pressed", "false");
    expect(onSubmit).not.toHaveBeenCalled(); // the person sends it

    await userEvent.click(box);
    await userEvent.keyboard("{Enter}");
    expect(onSubmit).toHaveBeenCalledWith("Pregunta: ¿cuántas semanas de permiso?");
  });

  it("is a toggle: pressed again, it stops listening and keeps what was heard", async () => {
    installFakeSpeech();
    renderInput();
    const mic = screen.getByRole("button", { name: "Ask by voice" });
    mic.focus();
    await userEvent.keyboard("{Enter}");
    const recognition = FakeRecognition.last();
    act(() => recognition.hear(["how many weeks"]));
    await userEvent.keyboard(" ");
    expect(recognition.stopped).toBe(true);
    act(() => recognition.hear(["how many weeks of leave"], true)); // the rest, before `end`
    act(() => recognition.end());
    expect(screen.getByRole("textbox")).toHaveValue("how many weeks of leave");
    expect(mic).toHaveAttribute("aria-pressed", "false");
  });

  it("says so when the microphone is blocked or nothing was heard", async () => {
    installFakeSpeech();
    renderInput();
    const mic = screen.getByRole("button", { name: "Ask by voice" });
    await userEvent.click(mic);
    act(() => {
      FakeRecognition.last().fail("not-allowed");
      FakeRecognition.last().end();
    });
    const box = screen.getByRole("textbox");
    expect(box).toHaveAttribute("placeholder", expect.stringContaining("microphone is blocked"));
    expect(screen.getByRole("status")).toHaveTextContent("microphone is blocked");
    await userEvent.click(mic);
    act(() => {
      FakeRecognition.last().fail("no-speech");
      FakeRecognition.last().end();
    });
    expect(box).toHaveAttribute("placeholder", expect.stringContaining("No speech was heard"));
  });

  it("stops listening when an answer starts, and drops what comes after", async () => {
    installFakeSpeech();
    const { view, onSubmit } = renderInput();
    await userEvent.click(screen.getByRole("button", { name: "Ask by voice" }));
    const recognition = FakeRecognition.last();
    view.rerender(withSpeech(BROWSER, <QuestionInput onSubmit={onSubmit} onStop={vi.fn()} busy />));
    expect(recognition.aborted).toBe(true);
    act(() => recognition.hear(["late words"]));
    expect(screen.getByRole("textbox")).toHaveValue("");
    expect(screen.getByRole("button", { name: "Ask by voice" })).toBeDisabled();
  });

  it("is not there where the browser has no recogniser, or the server turned it off", () => {
    installFakeSpeech({ recognition: false });
    const { view } = renderInput();
    expect(screen.queryByRole("button", { name: "Ask by voice" })).toBeNull();
    view.unmount();
    installFakeSpeech();
    renderInput({ input: false, output: "browser" });
    expect(screen.queryByRole("button", { name: "Ask by voice" })).toBeNull();
    expect(screen.getByRole("button", { name: "Send" })).toBeInTheDocument();
  });
});

describe("SpeakerButton with the browser's voices", () => {
  it("reads the answer without citations or Markdown, in the UI's language", async () => {
    const synthesis = installFakeSpeech();
    document.documentElement.lang = "es";
    renderAnswers(BROWSER, [answer()]);
    const [speaker] = speakers();
    expect(speaker).toHaveAttribute("aria-pressed", "false");
    await userEvent.click(speaker as HTMLElement);
    const said = synthesis.spoken.map((utterance) => utterance.text).join(" ");
    expect(said).toBe("You get 14 weeks of leave. Ask HR for the form.");
    expect(synthesis.spoken.every((utterance) => utterance.lang === "es-ES")).toBe(true);
    expect(synthesis.spoken[0]?.voice).toEqual({ lang: "es-ES", name: "Español" });
    expect(speaker).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByText("Reading the answer aloud.")).toHaveAttribute("role", "status");
    act(() => synthesis.finish());
    expect(speaker).toHaveAttribute("aria-pressed", "false");
  });

  it("is a toggle, and another answer's speaker stops the first", async () => {
    const synthesis = installFakeSpeech();
    renderAnswers(BROWSER, [answer(), answer({ content: "Second answer." })]);
    const [first, second] = speakers() as [HTMLElement, HTMLElement];
    await userEvent.click(first);
    await userEvent.click(first);
    expect(first).toHaveAttribute("aria-pressed", "false");
    const cancelledBefore = synthesis.cancelled;
    await userEvent.click(first);
    await userEvent.click(second);
    expect(synthesis.cancelled).toBeGreaterThan(cancelledBefore);
    expect(first).toHaveAttribute("aria-pressed", "false");
    expect(second).toHaveAttribute("aria-pressed", "true");
    expect(synthesis.spoken.at(-1)?.text).toBe("Second answer.");
  });

  it("stops speaking when a new answer starts", async () => {
    const synthesis = installFakeSpeech();
    const view = renderAnswers(BROWSER, [answer()]);
    await userEvent.click(speakers()[0] as HTMLElement);
    const cancelled = synthesis.cancelled;
    view.rerenderAnswers([answer(), answer({ content: "", status: "waiting" })]);
    expect(synthesis.cancelled).toBe(cancelled + 1);
    expect(speakers()[0]).toHaveAttribute("aria-pressed", "false");
  });

  it("is not there without speech synthesis, or while the answer streams", () => {
    installFakeSpeech({ synthesis: false });
    const view = renderAnswers({ input: false, output: null }, [answer()]);
    expect(screen.queryByRole("button", { name: "Read the answer aloud" })).toBeNull();
    view.unmount();
    renderAnswers(BROWSER, [answer({ status: "streaming" })]);
    expect(screen.queryByRole("button", { name: "Read the answer aloud" })).toBeNull();
  });
});

describe("SpeakerButton with Azure AI Speech", () => {
  it("fetches /speech and plays the audio, and stops it when pressed again", async () => {
    installFakeSpeech();
    const revoked = vi.spyOn(URL, "revokeObjectURL");
    const audio = new Blob([new Uint8Array([1, 2, 3])], { type: "audio/mpeg" });
    const fetchMock = vi.fn().mockResolvedValue(new Response(audio, { status: 200 }));
    vi.stubGlobal("fetch", fetchMock);
    document.documentElement.lang = "ja";
    renderAnswers(AZURE, [answer()]);
    const [speaker] = speakers() as [HTMLElement];
    await userEvent.click(speaker);
    expect(fetchMock).toHaveBeenCalledOnce();
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe("/speech");
    expect(init.method).toBe("POST");
    expect(JSON.parse(init.body as string)).toEqual({
      text: "You get 14 weeks of leave. Ask HR for the form.",
      language: "ja-JP",
    });
    const [played] = FakeAudio.instances;
    expect(played?.src).toMatch(/^blob:/);
    expect(played?.played).toBe(true);
    expect(speaker).toHaveAttribute("aria-pressed", "true");
    await userEvent.click(speaker);
    expect(played?.paused).toBe(true);
    expect(revoked).toHaveBeenCalledWith(played?.src);
    expect(speaker).toHaveAttribute("aria-pressed", "false");
  });

  it("says why when the server cannot read it aloud", async () => {
    installFakeSpeech();
    const body = JSON.stringify({
      error: "Azure AI Speech could not be reached. Try again later.",
    });
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue(new Response(body, { status: 503 })));
    renderAnswers(AZURE, [answer()]);
    const [speaker] = speakers() as [HTMLElement];
    await userEvent.click(speaker);
    const answerBox = speaker.closest("div") as HTMLElement;
    expect(await within(answerBox).findByRole("alert")).toHaveTextContent(
      "Azure AI Speech could not be reached",
    );
    expect(speaker).toHaveAttribute("aria-pressed", "false");
    expect(FakeAudio.instances).toEqual([]);
  });
});
