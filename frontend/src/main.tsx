import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";
import { startAuth } from "./auth";
import { initialLocale, setLocale } from "./i18n";
import "./styles/global.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
// Outside React: a login callback can be finished only once, and StrictMode runs effects twice.
const auth = startAuth();
// The first screen in its language, not English first: wait for that language's chunk (a failed
// load leaves English).
void setLocale(initialLocale())
  .catch(() => undefined)
  .then(() =>
    createRoot(root).render(
      <StrictMode>
        <App auth={auth} />
      </StrictMode>,
    ),
  );
