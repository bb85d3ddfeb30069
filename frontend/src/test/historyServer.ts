/**
 * A fake of the server's `/chat_history` and `/feedback` routes, kept in memory, for tests: it
 * answers as app/routes/history.py does (upsert by id, newest first, keyset pages) and records
 * every request. `intercept` answers a request instead (to fail one, or to hold it).
 */
import { vi } from "vitest";

import { jsonResponse } from "./streams";

export interface Recorded {
  method: string;
  url: string;
  body: unknown;
  headers: Headers;
  credentials: RequestCredentials | undefined;
}

interface Session {
  id: string;
  title: string;
  created: number;
  timestamp: number;
  answers: unknown[];
}

type Intercept = (request: Recorded) => Response | undefined | Promise<Response | undefined>;

export function fakeHistoryServer(options: { config?: Record<string, unknown> } = {}) {
  const sessions = new Map<string, Session>();
  const requests: Recorded[] = [];
  const feedback: unknown[] = [];
  const intercepts: Intercept[] = [];
  let clock = 1000;

  const route = (request: Recorded): Response => {
    const { method, url } = request;
    const path = url.split("?")[0] ?? url;
    const query = new URLSearchParams(url.split("?")[1] ?? "");
    if (path === "/config") {
      return jsonResponse({
        showChatHistoryServer: true,
        showChatHistoryBrowser: false,
        chatHistoryBackend: "local",
        showFeedback: true,
        ...options.config,
      });
    }
    if (path === "/auth_setup") return jsonResponse({ useLogin: false });
    if (path === "/chat_history" && method === "POST") {
      const body = request.body as { id: string; title?: string; answers: unknown[] };
      const earlier = sessions.get(body.id);
      const first = (body.answers[0] as [string, unknown] | undefined)?.[0] ?? "";
      const session = {
        id: body.id,
        title: body.title ?? first.slice(0, 200),
        created: earlier?.created ?? clock,
        timestamp: ++clock,
        answers: body.answers,
      };
      sessions.set(body.id, session);
      return jsonResponse(
        { id: session.id, title: session.title, timestamp: session.timestamp },
        201,
      );
    }
    if (path === "/chat_history/sessions") {
      const count = Number(query.get("count") ?? 10);
      const after = query.get("continuation_token");
      const all = [...sessions.values()].sort((a, b) => b.timestamp - a.timestamp);
      const start = after ? all.findIndex((s) => s.id === after) + 1 : 0;
      const page = all.slice(start, start + count);
      const more = start + count < all.length;
      return jsonResponse({
        sessions: page.map(({ id, title, timestamp }) => ({
          id,
          entra_oid: null,
          title,
          timestamp,
        })),
        continuation_token: more ? (page.at(-1)?.id ?? null) : null,
      });
    }
    const match = /^\/chat_history\/sessions\/([^/]+)$/.exec(path);
    if (match?.[1]) {
      const session = sessions.get(decodeURIComponent(match[1]));
      if (!session) return jsonResponse({ error: "No such conversation." }, 404);
      if (method === "DELETE") {
        sessions.delete(session.id);
        return new Response(null, { status: 204 });
      }
      if (method === "PATCH") {
        const { title } = request.body as { title: string };
        if (!title.trim()) return jsonResponse({ error: "title: at least 1 character" }, 400);
        session.title = title.trim();
        session.timestamp = ++clock;
        return jsonResponse({ id: session.id, title: session.title, timestamp: session.timestamp });
      }
      const format = query.get("format");
      if (format) {
        return new Response(format === "md" ? `# ${session.title}\n` : JSON.stringify(session), {
          headers: {
            "Content-Type": format === "md" ? "text/markdown; charset=utf-8" : "application/json",
            "Content-Disposition": `attachment; filename="${session.title}.${format}"; filename*=UTF-8''${encodeURIComponent(session.title)}.${format}`,
          },
        });
      }
      return jsonResponse({ ...session, entra_oid: null });
    }
    if (path === "/feedback" && method === "POST") {
      feedback.push(request.body);
      return jsonResponse({ id: "f1" }, 201);
    }
    throw new Error(`unexpected request: ${method} ${url}`);
  };

  const fetchMock = vi.fn(async (url: string, init: RequestInit = {}) => {
    const body = typeof init.body === "string" ? (JSON.parse(init.body) as unknown) : undefined;
    const request: Recorded = {
      method: init.method ?? "GET",
      url,
      body,
      headers: new Headers(init.headers),
      credentials: init.credentials,
    };
    requests.push(request);
    for (const intercept of intercepts) {
      const answer = await intercept(request);
      if (answer) return answer;
    }
    return route(request);
  });

  return {
    sessions,
    requests,
    feedback,
    fetchMock,
    /** Answer matching requests yourself (return undefined to let the fake answer). */
    intercept(handler: Intercept) {
      intercepts.push(handler);
    },
    /** The requests to `path` (without the query), by method. */
    calls(method: string, path: string) {
      return requests.filter((r) => r.method === method && (r.url.split("?")[0] ?? "") === path);
    },
    install() {
      vi.stubGlobal("fetch", fetchMock);
      return this;
    },
  };
}
