/** A stand-in for XMLHttpRequest that a test drives by hand: progress, then the response. */

type Listener = (event: ProgressEvent) => void;

class Events {
  private listeners = new Map<string, Listener[]>();

  addEventListener(type: string, listener: Listener) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  emit(type: string, init: { loaded?: number; total?: number } = {}) {
    const event = {
      type,
      lengthComputable: init.total !== undefined,
      loaded: init.loaded ?? 0,
      total: init.total ?? 0,
    } as ProgressEvent;
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
}

export class FakeXhr extends Events {
  static sent: FakeXhr[] = [];

  readonly upload = new Events();
  method = "";
  url = "";
  headers: Record<string, string> = {};
  body: unknown = null;
  status = 0;
  responseText = "";
  aborted = false;
  private responseHeaders: Record<string, string> = {};

  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }

  setRequestHeader(name: string, value: string) {
    this.headers[name.toLowerCase()] = value;
  }

  getResponseHeader(name: string): string | null {
    return this.responseHeaders[name.toLowerCase()] ?? null;
  }

  send(body: unknown) {
    this.body = body;
    FakeXhr.sent.push(this);
  }

  abort() {
    this.aborted = true;
    this.emit("abort");
  }

  /** Report `loaded` of `total` bytes sent. */
  progress(loaded: number, total: number) {
    this.upload.emit("progress", { loaded, total });
  }

  /** The whole body is sent, then (later) the server answers. */
  sentAll() {
    this.upload.emit("load");
  }

  respond(status: number, body: unknown, headers: Record<string, string> = {}) {
    this.status = status;
    this.responseText = typeof body === "string" ? body : JSON.stringify(body);
    this.responseHeaders = Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    this.emit("load");
  }

  /** The uploaded file, from the multipart body. */
  file(): File | null {
    const value = this.body instanceof FormData ? this.body.get("file") : null;
    return value instanceof File ? value : null;
  }
}

/** Install FakeXhr as XMLHttpRequest; returns the requests sent, in order. */
export function installFakeXhr(stub: (name: string, value: unknown) => void): FakeXhr[] {
  FakeXhr.sent = [];
  stub("XMLHttpRequest", FakeXhr);
  return FakeXhr.sent;
}
