/** A square button that shows only an icon; its label names it and is its tooltip. */
import { Icon, type IconName } from "../Icon";

export interface IconButtonProps {
  icon: IconName;
  label: string;
  onClick?: () => void;
  /** "submit" sends the form it is in (no `onClick` needed). */
  type?: "button" | "submit";
  disabled?: boolean;
  className?: string;
  /** A tooltip that says more than the label (the copy button's "Copied"); the label by default. */
  title?: string;
  /** Makes it a toggle button (`aria-pressed`). */
  pressed?: boolean;
}

export function IconButton({
  icon,
  label,
  onClick,
  disabled,
  className,
  title = label,
  pressed,
  type = "button",
}: IconButtonProps) {
  return (
    <button
      type={type}
      className={className ? `icon-button ${className}` : "icon-button"}
      onClick={onClick}
      disabled={disabled}
      aria-label={label}
      aria-pressed={pressed}
      title={title}
    >
      <Icon name={icon} />
    </button>
  );
}
