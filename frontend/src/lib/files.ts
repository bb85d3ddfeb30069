/** Checks on a file before it is uploaded (the server checks again), and saving a downloaded
 * file. */
import { t } from "../i18n";
import { formatBytes } from "../i18n/format";

export interface UploadRules {
  maxBytes: number;
  /** Lower-case extensions with the dot; empty: the server did not say, so any. */
  extensions: readonly string[];
}

/** Why `file` cannot be uploaded, or null when it can. */
export function uploadProblem(file: File, rules: UploadRules): string | null {
  const extensions = rules.extensions.map((extension) => extension.toLowerCase());
  const dot = file.name.lastIndexOf(".");
  const extension = dot > 0 ? file.name.slice(dot).toLowerCase() : "";
  if (extensions.length && !extensions.includes(extension)) {
    return t.uploads.badType(file.name, extensions.join(", "));
  }
  if (file.size === 0) return t.uploads.emptyFile(file.name);
  if (file.size > rules.maxBytes) {
    return t.uploads.tooLarge(file.name, formatBytes(file.size), formatBytes(rules.maxBytes));
  }
  return null;
}

/** Hand `blob` to the browser as a download named `filename` (through a short-lived blob URL). */
export function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Not at once: some browsers read the URL only after the click has been handled.
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}
