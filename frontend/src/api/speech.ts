/** `POST /speech`: a text read aloud by the server's Azure AI Speech, as MP3. */
import { send } from "./client";

/** The audio of `text` spoken in `language` (a BCP-47 tag); an error status throws ApiError. */
export async function fetchSpeech(
  text: string,
  language: string,
  signal?: AbortSignal,
): Promise<Blob> {
  const response = await send("/speech", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "audio/mpeg" },
    body: JSON.stringify({ text, language }),
    signal,
  });
  return await response.blob();
}
