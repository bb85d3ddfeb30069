import { en } from "./en";

/** The UI's text. Swap the module (or pick by `navigator.language`) to translate. */
export const t = en;
export type { Messages } from "./en";
