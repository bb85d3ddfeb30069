import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { App } from "../../App";
import type { ChatRequest } from "../../api/types";
import { startAuth } from "../../auth";
import { LOCALE_KEY, setLocale } from "../../i18n";
import { en } from "../../i18n/en";
import de from "../../i18n/locales/de";
import { jsonResponse, ndjson, ndjsonResponse, sampleAnswerLines } from "../../test/streams";
import { LanguagePicker } from "./LanguagePicker";

afterEach(async () => {
  vi.unstubAllGlobals();
  await setLocale("en");
});

describe("LanguagePicker", () => {
  it("is labelled and names each language in itself", () => {
    render(<LanguagePicker />);
    const picker = screen.getByRole("combobox", { name: en.languagePicker.label });
    expect(picker).toHaveValue("en");
    const options = screen.getAllByRole("option");
    expect(options.map((option) => option.textContent)).toEqual([
      "English",
      "Español",
      "Français",
      "Deutsch",
      "日本語",
      "简体中文",
      "Português (Brasil)",
      "العربية",
    ]);
    expect(screen.getByRole("option", { name: "العربية" })).toHaveAttribute("lang", "ar");
  });

  it("shows the chosen language, remembers it and sets <html lang dir>", async () => {
    const user = userEvent.setup();
    render(<LanguagePicker />);
    await user.selectOptions(screen.getByRole("combobox"), "العربية");
    expect(await screen.findByRole("combobox", { name: "اللغة" })).toHaveValue("ar");
    expect(localStorage.getItem(LOCALE_KEY)).toBe("ar");
    expect(document.documentElement).toHaveAttribute("lang", "ar");
    expect(document.documentElement).toHaveAttribute("dir", "rtl");
  });
});

/** `/config` with a language model, and answers to every question; the requests are kept. */
function modelServer() {
  const requests: ChatRequest[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn((url: string, init?: RequestInit) => {
      if (url === "/config") {
        return Promise.resolve(
          jsonResponse({ showLanguagePicker: true, answersFollowUiLanguage: true, notice: null }),
        );
      }
      if (url === "/auth_setup") return Promise.resolve(jsonResponse({ useLogin: false }));
      requests.push(JSON.parse(init?.body as string) as ChatRequest);
      return Promise.resolve(ndjsonResponse(ndjson(...sampleAnswerLines())));
    }),
  );
  return requests;
}

describe("switching language in the app", () => {
  it("keeps the conversation and the draft, and the next question asks for the new language", async () => {
    const user = userEvent.setup();
    const requests = modelServer();
    render(<App auth={startAuth()} />);
    await user.type(screen.getByLabelText(en.input.label), "What is the deductible?{Enter}");
    expect(await screen.findByText(/The deductible is \$1,000/)).toBeInTheDocument();
    await user.type(screen.getByLabelText(en.input.label), "And for a family?");

    await user.selectOptions(screen.getByRole("combobox", { name: en.languagePicker.label }), "de");
    expect(await screen.findByRole("link", { name: de.nav.ask })).toBeInTheDocument();
    // The same conversation, the same draft: rendered again, not mounted again.
    expect(screen.getByText(/The deductible is \$1,000/)).toBeInTheDocument();
    expect(screen.getByLabelText(de.input.label)).toHaveValue("And for a family?");
    expect(screen.getByRole("button", { name: de.chat.clear })).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: de.input.send }));
    await waitFor(() => expect(requests).toHaveLength(2));
    expect(requests[0]?.context.overrides.language).toBe("English");
    expect(requests[1]?.context.overrides.language).toBe("German");
    expect(requests[1]?.messages.map((message) => message.role)).toEqual([
      "user",
      "assistant",
      "user",
    ]);
  });

  it("sends the developer setting's language over the UI's", async () => {
    const user = userEvent.setup();
    localStorage.setItem("ragchat.settings.v1", JSON.stringify({ language: "Italian" }));
    const requests = modelServer();
    await setLocale("fr");
    render(<App auth={startAuth()} />);
    await user.type(await screen.findByLabelText("Votre question"), "Congé ?{Enter}");
    await waitFor(() => expect(requests).toHaveLength(1));
    expect(requests[0]?.context.overrides.language).toBe("Italian");
  });

  it("sends no language when the server's answers do not follow the UI's", async () => {
    const user = userEvent.setup();
    const requests: ChatRequest[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn((url: string, init?: RequestInit) => {
        if (url === "/config") return Promise.resolve(jsonResponse({ notice: "No model." }));
        if (url === "/auth_setup") return Promise.resolve(jsonResponse({ useLogin: false }));
        requests.push(JSON.parse(init?.body as string) as ChatRequest);
        return Promise.resolve(ndjsonResponse(ndjson(...sampleAnswerLines())));
      }),
    );
    await setLocale("de");
    render(<App auth={startAuth()} />);
    await screen.findByRole("note");
    await user.type(screen.getByLabelText(de.input.label), "Elternzeit?{Enter}");
    await waitFor(() => expect(requests).toHaveLength(1));
    expect(requests[0]?.context.overrides).not.toHaveProperty("language");
  });
});
