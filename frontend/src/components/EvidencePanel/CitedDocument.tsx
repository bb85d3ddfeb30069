/**
 * The cited file, fetched with the token and framed from a blob: URL, with the cited passage:
 * marked in the document and scrolled to (HTML, Markdown, text), or shown beside it (PDF).
 *
 * A blob URL has this app's origin, so anything but a PDF is framed with every sandbox
 * restriction: an uploaded HTML file runs no script and reaches nothing of ours. PDFs cannot be
 * sandboxed (Chrome refuses to run its viewer in a sandboxed frame); their blob is typed
 * application/pdf, so it never renders as HTML.
 */
import { useCallback, useEffect, useMemo, useRef, type ReactNode } from "react";

import { isViewable, useDocument } from "../../hooks/useDocument";
import { t } from "../../i18n";
import type { Answer } from "../../lib/answer";
import type { Citation } from "../../lib/citations";
import { documentKind, type DocumentKind } from "../../lib/documentKind";
import { citedPassage, type Passage } from "../../lib/passage";
import { CitationNumber } from "../CitationNumber";
import { Icon } from "../Icon";
import { SourceName, sourceText } from "../SourceName";
import { CitedPassage } from "./CitedPassage";
import styles from "./EvidencePanel.module.css";
import { useMarkedDocument } from "./useMarkedDocument";

export function CitedDocument({ answer, citation }: { answer: Answer; citation: Citation }) {
  const path = citation.href.split("#")[0] ?? citation.href;
  const { file, reload } = useDocument(path);
  const points = answer.dataPoints?.text;
  const passageJson = useMemo(
    () => JSON.stringify(citedPassage(answer.content, points ?? [], citation.ref)),
    [answer.content, points, citation.ref],
  );
  const passage = useMemo(() => JSON.parse(passageJson) as Passage | null, [passageJson]);
  const title = t.evidence.documentFrame(sourceText(citation.ref));
  const fileName = citation.file.split("/").pop() ?? citation.file;
  const kind = documentKind(citation.file);
  const pdfSrc =
    file.status === "ready" && file.pdf
      ? file.url + (citation.page ? `#page=${citation.page}` : "")
      : null;
  return (
    <>
      <div className={styles.documentBar}>
        <span className={styles.documentName}>
          <CitationNumber number={citation.number} />
          <SourceName reference={citation.ref} />
        </span>
        {file.status !== "ready" ? null : pdfSrc ? (
          <a href={pdfSrc} target="_blank" rel="noopener noreferrer" className="button">
            <Icon name="external" />
            {t.evidence.openInNewTab}
          </a>
        ) : (
          <a href={file.url} download={fileName} className="button">
            <Icon name="download" />
            {t.evidence.download}
          </a>
        )}
      </div>
      {file.status === "loading" ? (
        <Loading />
      ) : file.status === "error" ? (
        <div className={`error-box ${styles.documentError}`} role="alert">
          <p>{file.message}</p>
          <div className={styles.documentActions}>
            <button type="button" className="button" onClick={reload}>
              <Icon name="retry" />
              {t.evidence.retry}
            </button>
            <a href={path} target="_blank" rel="noopener noreferrer" className="button">
              <Icon name="external" />
              {t.evidence.openDirectly}
            </a>
          </div>
        </div>
      ) : pdfSrc ? (
        <Viewer passage={passage}>
          <iframe className={styles.frame} src={pdfSrc} title={title} />
        </Viewer>
      ) : kind ? (
        <MarkedFrame
          url={file.url}
          bytes={file.bytes}
          kind={kind}
          passageJson={passageJson}
          passage={passage}
          name={fileName}
          title={title}
        />
      ) : isViewable(file.type) ? (
        <Viewer passage={passage}>
          <iframe className={styles.frame} src={file.url} title={title} sandbox="" />
        </Viewer>
      ) : (
        // A framed Word file would be a blank frame (a sandboxed frame cannot download it).
        <>
          <p className={`${styles.documentMessage} ${styles.cannotShow}`} role="status">
            {t.evidence.cannotShow}{" "}
            <a href={file.url} download={fileName}>
              {t.evidence.download}
            </a>
          </p>
          {passage ? <Viewer passage={passage}>{null}</Viewer> : null}
        </>
      )}
    </>
  );
}

function Loading() {
  return (
    <p className={styles.documentMessage} role="status">
      {t.evidence.loading}
    </p>
  );
}

/** The document, and the passage beside it (above it when the panel is narrow), if any. */
function Viewer({ passage, children }: { passage: Passage | null; children: ReactNode }) {
  return (
    <div className={styles.viewerArea}>
      <div className={styles.viewer}>
        {passage ? <CitedPassage passage={passage} /> : null}
        {children}
      </div>
    </div>
  );
}

/**
 * An HTML, Markdown or text document with the passage marked, opened at the mark (the frame
 * scrolls to the `#fragment` itself: no script). Not found there, the passage is shown beside it;
 * should marking fail altogether, the file is shown as it came (`url`), the passage beside it.
 */
function MarkedFrame({
  url,
  bytes,
  kind,
  passageJson,
  passage,
  name,
  title,
}: {
  url: string;
  bytes: Uint8Array;
  kind: DocumentKind;
  passageJson: string;
  passage: Passage | null;
  name: string;
  title: string;
}) {
  const marked = useMarkedDocument(bytes, kind, passageJson, name);
  if (marked.status === "building") return <Loading />;
  if (marked.status === "failed") {
    return (
      <Viewer passage={passage}>
        <iframe className={styles.frame} src={url} title={title} sandbox="" />
      </Viewer>
    );
  }
  const frame = (
    <FragmentFrame
      src={marked.target ? `${marked.url}#${marked.target}` : marked.url}
      title={title}
    />
  );
  if (marked.target || !passage) return frame;
  return (
    <>
      <p className={styles.passageNote} role="status">
        {t.evidence.passageNotFound}
      </p>
      <Viewer passage={passage}>{frame}</Viewer>
    </>
  );
}

/**
 * A sandboxed frame of the marked document. The frame scrolls to its `#cited-passage` while it
 * is parsed; layout that settles later (the document's styles, a drawer still opening, a panel
 * resized) can move the mark out of view, and no script may run inside to fix it. So the
 * fragment is navigated to again once the document has loaded and whenever the frame's size
 * changes: a fragment navigation scrolls without reloading.
 */
function FragmentFrame({ src, title }: { src: string; title: string }) {
  const ref = useRef<HTMLIFrameElement>(null);
  const rescroll = useCallback(() => {
    const frame = ref.current;
    if (frame && src.includes("#")) requestAnimationFrame(() => (frame.src = src));
  }, [src]);
  useEffect(() => {
    const frame = ref.current;
    if (!frame || typeof ResizeObserver === "undefined") return;
    let last = "";
    const observer = new ResizeObserver(([entry]) => {
      const size = entry ? `${entry.contentRect.width}x${entry.contentRect.height}` : "";
      if (last && size !== last) rescroll();
      last = size;
    });
    observer.observe(frame);
    return () => observer.disconnect();
  }, [rescroll]);
  const loaded = useRef("");
  const onLoad = () => {
    if (loaded.current === src) return; // a fragment navigation fires no load; a reload would
    loaded.current = src;
    rescroll();
  };
  return (
    <iframe ref={ref} className={styles.frame} src={src} title={title} sandbox="" onLoad={onLoad} />
  );
}
