import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { DEFAULT_CONFIG } from "../../api/client";
import type { AppConfig } from "../../api/types";
import { useSettings } from "../../hooks/useSettings";
import { loadSettings } from "../../lib/settings";
import { SettingsPanel } from "./SettingsPanel";

const azure: AppConfig = {
  ...DEFAULT_CONFIG,
  showSemanticRankerOption: true,
  showVectorOption: true,
  showPromptTemplateOption: true,
  showLanguagePicker: true,
  defaultRetrievalMode: "hybrid",
};

function Harness({ config }: { config: AppConfig }) {
  const { settings, update, reset } = useSettings();
  return (
    <SettingsPanel
      open
      onClose={() => undefined}
      settings={settings}
      config={config}
      onChange={update}
      onReset={reset}
    />
  );
}

describe("SettingsPanel", () => {
  it("hides what an offline server does not support", () => {
    render(<Harness config={DEFAULT_CONFIG} />);
    expect(screen.getByRole("dialog", { name: "Developer settings" })).toBeInTheDocument();
    expect(screen.queryByRole("radio")).toBeNull();
    expect(screen.queryByLabelText("Use the semantic ranker")).toBeNull();
    expect(screen.queryByLabelText("Minimum reranker score")).toBeNull();
    expect(screen.queryByLabelText("Prompt template")).toBeNull();
    expect(screen.queryByLabelText("Answer language")).toBeNull();
    for (const label of [
      "Number of sources to retrieve",
      "Minimum search score",
      "Only this category",
      "Exclude this category",
      "Temperature",
      "Seed",
      "Suggest follow-up questions",
    ]) {
      expect(screen.getByLabelText(label)).toBeInTheDocument();
    }
  });

  it("offers every option a full server supports, with its default mode chosen", () => {
    render(<Harness config={azure} />);
    expect(screen.getAllByRole("radio")).toHaveLength(3);
    expect(screen.getByRole("radio", { name: /Hybrid/ })).toBeChecked();
    expect(screen.getByLabelText("Use the semantic ranker")).toBeChecked();
    expect(screen.getByLabelText("Minimum reranker score")).toBeInTheDocument();
    expect(screen.getByLabelText("Prompt template")).toBeInTheDocument();
    expect(screen.getByLabelText("Answer language")).toBeInTheDocument();
  });

  it("keeps numbers within bounds and saves them", async () => {
    const user = userEvent.setup();
    render(<Harness config={azure} />);
    const top = screen.getByLabelText("Number of sources to retrieve");
    await user.clear(top);
    await user.type(top, "80");
    expect(top).toHaveAttribute("aria-invalid", "true");
    fireEvent.blur(top);
    expect(top).toHaveValue(50);
    expect(loadSettings().top).toBe(50);

    const temperature = screen.getByLabelText("Temperature");
    await user.type(temperature, "0.7");
    expect(loadSettings().temperature).toBe(0.7);
    await user.clear(temperature);
    fireEvent.blur(temperature);
    expect(loadSettings().temperature).toBeNull();

    await user.click(screen.getByRole("radio", { name: /Vectors only/ }));
    await user.selectOptions(screen.getByLabelText("Answer language"), "French");
    expect(loadSettings()).toMatchObject({ retrievalMode: "vectors", language: "French" });
  });

  it("restores the defaults", async () => {
    const user = userEvent.setup();
    render(<Harness config={azure} />);
    const seed = screen.getByLabelText("Seed");
    await user.type(seed, "42");
    expect(loadSettings().seed).toBe(42);
    await user.click(screen.getByRole("button", { name: "Reset to defaults" }));
    expect(seed).toHaveValue(null);
    expect(loadSettings().seed).toBeNull();
  });
});
