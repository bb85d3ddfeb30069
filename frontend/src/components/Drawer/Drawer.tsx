/**
 * A panel on a native `<dialog>`: a modal drawer (focus kept inside, Escape closes, the page
 * behind inert) or, with `modal={false}`, a non-modal side panel that sits in the layout.
 */
import { useEffect, useRef, type ReactNode } from "react";

import styles from "./Drawer.module.css";

export interface DrawerProps {
  open: boolean;
  modal: boolean;
  onClose: () => void;
  labelledBy: string;
  side?: "left" | "right";
  className?: string;
  children: ReactNode;
}

export function Drawer({
  open,
  modal,
  onClose,
  labelledBy,
  side = "right",
  className,
  children,
}: DrawerProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const shownModal = useRef<boolean | null>(null);
  const onCloseRef = useRef(onClose);

  useEffect(() => {
    onCloseRef.current = onClose;
  }, [onClose]);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (!open) {
      if (dialog.open) dialog.close();
      shownModal.current = null;
      return;
    }
    if (dialog.open && shownModal.current === modal) return;
    if (dialog.open) dialog.close(); // switching between modal and side panel
    if (modal) dialog.showModal();
    else dialog.show();
    shownModal.current = modal;
  }, [open, modal]);

  // Closed by the browser (Escape on a modal): tell the owner. A close we made while switching
  // modes is followed at once by a new show, so the dialog is open again when this runs.
  const onDialogClose = () => {
    if (!ref.current?.open) onCloseRef.current();
  };

  return (
    <dialog
      ref={ref}
      aria-labelledby={labelledBy}
      className={[styles.drawer, styles[side], modal ? styles.modal : styles.inline, className]
        .filter(Boolean)
        .join(" ")}
      onClose={onDialogClose}
      onKeyDown={(event) => {
        if (!modal && event.key === "Escape") {
          event.stopPropagation();
          onCloseRef.current();
        }
      }}
    >
      {children}
    </dialog>
  );
}
