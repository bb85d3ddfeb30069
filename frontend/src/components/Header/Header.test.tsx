import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { en } from "../../i18n/en";
import { Header, type HeaderProps } from "./Header";

function renderHeader(props: Partial<HeaderProps> = {}) {
  return render(
    <Header
      route="chat"
      theme="light"
      onToggleTheme={() => undefined}
      onOpenSettings={() => undefined}
      {...props}
    />,
  );
}

const account = (overrides: Partial<NonNullable<HeaderProps["account"]>> = {}) => ({
  user: null,
  onSignIn: vi.fn(),
  onSignOut: vi.fn(),
  offerSignIn: true,
  ...overrides,
});

describe("Header", () => {
  it("offers Sign in when nobody is signed in", async () => {
    const user = userEvent.setup();
    const signedOut = account();
    renderHeader({ account: signedOut });
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(signedOut.onSignIn).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("button", { name: "Sign out" })).toBeNull();
  });

  it("shows who is signed in, with Sign out", async () => {
    const user = userEvent.setup();
    const alice = account({ user: { id: "user-alice", name: "Alice Example" } });
    renderHeader({ account: alice });
    const banner = screen.getByRole("banner");
    expect(banner).toHaveTextContent("Alice Example");
    expect(screen.getByText("Alice Example")).toHaveAttribute(
      "title",
      "Signed in as Alice Example",
    );
    await user.click(screen.getByRole("button", { name: "Sign out" }));
    expect(alice.onSignOut).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("button", { name: "Sign in" })).toBeNull();
  });

  it("shows no account controls without login", () => {
    renderHeader();
    expect(screen.queryByRole("button", { name: /Sign (in|out)/ })).toBeNull();
  });

  it("leaves Sign in to the page when the page offers it", () => {
    renderHeader({ account: account({ offerSignIn: false }) });
    expect(screen.queryByRole("button", { name: "Sign in" })).toBeNull();
  });

  it("has an Upload documents button only when uploads are offered", async () => {
    const user = userEvent.setup();
    const { rerender } = renderHeader();
    expect(screen.queryByRole("button", { name: en.uploads.open })).toBeNull();
    const onOpenUploads = vi.fn();
    rerender(
      <Header
        route="chat"
        theme="light"
        onToggleTheme={() => undefined}
        onOpenSettings={() => undefined}
        onOpenUploads={onOpenUploads}
      />,
    );
    await user.click(screen.getByRole("button", { name: "Upload documents" }));
    expect(onOpenUploads).toHaveBeenCalledTimes(1);
  });
});
