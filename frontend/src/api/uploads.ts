/** The signed-in user's own documents: `/upload`, `/list_uploaded`, `/delete_uploaded`. */
import { t } from "../i18n";
import { ApiError, errorMessage, send, withBearer, withToken } from "./client";
import type { UploadResult } from "./types";

export interface UploadOptions {
  /** Bytes sent so far of the whole request body. */
  onProgress?: (loaded: number, total: number) => void;
  /** The body is sent; the server is now reading and indexing the file. */
  onSent?: () => void;
  signal?: AbortSignal;
}

/** The caller's uploaded file names, sorted. */
export async function listUploaded(signal?: AbortSignal): Promise<string[]> {
  const response = await send("/list_uploaded", { signal });
  const body = (await response.json()) as unknown;
  return Array.isArray(body) ? body.filter((name): name is string => typeof name === "string") : [];
}

/** Delete one of the caller's files. */
export async function deleteUploaded(filename: string, signal?: AbortSignal): Promise<void> {
  await send("/delete_uploaded", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ filename }),
    signal,
  });
}

interface XhrResult {
  status: number;
  body: string;
  requestId: string | null;
}

/**
 * Upload one file as multipart `file`. XMLHttpRequest rather than fetch: only it reports the
 * progress of a request body.
 */
export async function uploadFile(file: File, options: UploadOptions = {}): Promise<UploadResult> {
  const result = await withToken((token) => post(file, token, options));
  if (result.status < 200 || result.status >= 300) {
    throw new ApiError(errorMessage(result.body, result.status), result.status, result.requestId);
  }
  try {
    return JSON.parse(result.body) as UploadResult;
  } catch {
    throw new ApiError(t.errors.badStream, result.status, result.requestId);
  }
}

function post(file: File, token: string | null, options: UploadOptions): Promise<XhrResult> {
  const { onProgress, onSent, signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DOMException("aborted", "AbortError"));
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/upload");
    withBearer(undefined, token).forEach((value, name) => xhr.setRequestHeader(name, value));
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress?.(event.loaded, event.total);
    });
    xhr.upload.addEventListener("load", () => onSent?.());
    xhr.addEventListener("load", () =>
      resolve({
        status: xhr.status,
        body: xhr.responseText,
        requestId: xhr.getResponseHeader("X-Request-ID"),
      }),
    );
    xhr.addEventListener("error", () => reject(new ApiError(t.errors.network)));
    xhr.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    const form = new FormData();
    form.append("file", file);
    xhr.send(form);
  });
}
