/** Light or dark: the system's preference until the person picks one, which is remembered. */
import { useCallback, useEffect, useState } from "react";

import { safeLocalStorage } from "../lib/settings";
import { useMediaQuery } from "./useMediaQuery";

export type Theme = "light" | "dark";
export const THEME_KEY = "ragchat.theme";

function savedTheme(): Theme | null {
  const value = safeLocalStorage()?.getItem(THEME_KEY);
  return value === "light" || value === "dark" ? value : null;
}

export function useTheme() {
  const prefersDark = useMediaQuery("(prefers-color-scheme: dark)");
  const [chosen, setChosen] = useState<Theme | null>(savedTheme);
  const theme: Theme = chosen ?? (prefersDark ? "dark" : "light");

  useEffect(() => {
    if (chosen) document.documentElement.dataset.theme = chosen;
    else delete document.documentElement.dataset.theme;
  }, [chosen]);

  const toggle = useCallback(() => {
    const next: Theme = theme === "dark" ? "light" : "dark";
    try {
      safeLocalStorage()?.setItem(THEME_KEY, next);
    } catch {
      // Not remembered, still applied.
    }
    setChosen(next);
  }, [theme]);

  return { theme, toggle };
}
