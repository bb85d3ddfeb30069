import { act, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { en } from "../../i18n/en";
import { OfflineBanner } from "./OfflineBanner";

let online = true;

function go(value: boolean) {
  online = value;
  act(() => {
    window.dispatchEvent(new Event(value ? "online" : "offline"));
  });
}

beforeEach(() => {
  online = true;
  vi.spyOn(navigator, "onLine", "get").mockImplementation(() => online);
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("OfflineBanner", () => {
  it("says so while offline, in a polite live region that was there before", () => {
    const { container } = render(<OfflineBanner />);
    const region = container.querySelector("[aria-live]");
    expect(region).toHaveAttribute("aria-live", "polite");
    expect(region).toBeEmptyDOMElement();
    go(false);
    expect(container.querySelector("[aria-live]")).toBe(region);
    expect(region).toHaveTextContent(en.states.offline);
  });

  it("says it is back online for a moment, then nothing", () => {
    vi.useFakeTimers();
    const { container } = render(<OfflineBanner />);
    go(false);
    go(true);
    expect(screen.getByText(en.states.backOnline)).toBeInTheDocument();
    act(() => {
      vi.advanceTimersByTime(5000);
    });
    expect(container.querySelector("[aria-live]")).toBeEmptyDOMElement();
  });

  it("shows nothing when the browser has been online all along", () => {
    const { container } = render(<OfflineBanner />);
    go(true);
    expect(container.querySelector("[aria-live]")).toBeEmptyDOMElement();
  });
});
