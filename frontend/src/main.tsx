import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";
import { startAuth } from "./auth";
import "./styles/global.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
// Outside React: a login callback can be finished only once, and StrictMode runs effects twice.
const auth = startAuth();
createRoot(root).render(
  <StrictMode>
    <App auth={auth} />
  </StrictMode>,
);
