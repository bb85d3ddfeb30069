/**
 * "Download" as a menu button (the WAI-ARIA menu button pattern): Markdown or JSON. Arrow keys
 * move between the items, Escape closes and returns to the button, a click elsewhere closes.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";

import type { ExportFormat } from "../../api/history";
import { t } from "../../i18n";
import { Icon } from "../Icon";
import styles from "./ExportMenu.module.css";

export interface ExportMenuProps {
  onExport: (format: ExportFormat) => void;
  disabled?: boolean;
  className?: string;
}

/** The formats offered, named while rendering (the UI language can change). */
function items(): readonly { format: ExportFormat; label: string }[] {
  return [
    { format: "md", label: t.exportMenu.markdown },
    { format: "json", label: t.exportMenu.json },
  ];
}

export function ExportMenu({ onExport, disabled = false, className }: ExportMenuProps) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [focusIndex, setFocusIndex] = useState(0);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const itemRefs = useRef<(HTMLButtonElement | null)[]>([]);

  useEffect(() => {
    if (open) itemRefs.current[focusIndex]?.focus();
  }, [open, focusIndex]);

  useEffect(() => {
    if (!open) return;
    const onPointerDown = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", onPointerDown);
    return () => document.removeEventListener("pointerdown", onPointerDown);
  }, [open]);

  const show = (index: number) => {
    setFocusIndex(index);
    setOpen(true);
  };
  const close = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };
  const choose = (format: ExportFormat) => {
    close();
    onExport(format);
  };

  const onButtonKey = (event: KeyboardEvent) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      show(event.key === "ArrowDown" ? 0 : items().length - 1);
    }
  };
  const onMenuKey = (event: KeyboardEvent) => {
    const last = items().length - 1;
    const moves: Record<string, number> = {
      ArrowDown: focusIndex === last ? 0 : focusIndex + 1,
      ArrowUp: focusIndex === 0 ? last : focusIndex - 1,
      Home: 0,
      End: last,
    };
    const target = moves[event.key];
    if (target !== undefined) {
      event.preventDefault();
      setFocusIndex(target);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation(); // not the drawer or dialog around the menu
      close();
    } else if (event.key === "Tab") {
      setOpen(false);
    }
  };

  return (
    <div ref={rootRef} className={className ? `${styles.root} ${className}` : styles.root}>
      <button
        ref={buttonRef}
        type="button"
        className="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? `${id}-menu` : undefined}
        aria-label={t.exportMenu.label}
        disabled={disabled}
        onClick={() => (open ? setOpen(false) : show(0))}
        onKeyDown={onButtonKey}
      >
        <Icon name="download" />
        <span className={styles.buttonText}>{t.exportMenu.button}</span>
        <Icon name="chevronDown" />
      </button>
      {open ? (
        <div
          id={`${id}-menu`}
          role="menu"
          aria-label={t.exportMenu.label}
          className={styles.menu}
          onKeyDown={onMenuKey}
        >
          {items().map((item, index) => (
            <button
              key={item.format}
              ref={(element) => {
                itemRefs.current[index] = element;
              }}
              type="button"
              role="menuitem"
              tabIndex={index === focusIndex ? 0 : -1}
              className={styles.item}
              onClick={() => choose(item.format)}
            >
              {item.label}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
