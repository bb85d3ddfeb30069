/**
 * The cited file, fetched with the token and framed from a blob: URL, with the cited passage:
 * marked in the document and scrolled to (HTML, Markdown, text), or shown beside it (PDF).
 *
 * A blob URL has this app's origin, so anything but a PDF is framed with every sandbox
 * restriction: an uploaded HTML file runs no script and reaches nothing of ours. PDFs cannot be
 * sandboxed (Chrome refuses to run its viewer in a sandboxed frame); their blob is typed
 * application/pdf, so it never renders as HTML.
 */
import { useMemo, type ReactNode } from "react";

import { useDocument } from "../../hooks/useDocument";
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
  const file = useDocument(citation.href.split("#")[0] ?? citation.href);
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
        <p className={`error-box ${styles.documentError}`} role="alert">
          {file.message}
        </p>
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
      ) : (
        <Viewer passage={passage}>
          <iframe className={styles.frame} src={file.url} title={title} sandbox="" />
        </Viewer>
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
    <iframe
      className={styles.frame}
      src={marked.target ? `${marked.url}#${marked.target}` : marked.url}
      title={title}
      sandbox=""
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
