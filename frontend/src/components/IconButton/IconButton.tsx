/** A square button that shows only an icon; its label names it and is its tooltip. */
import { Icon, type IconName } from "../Icon";

export interface IconButtonProps {
  icon: IconName;
  label: string;
  onClick: () => void;
  disabled?: boolean;
  className?: string;
  /** A tooltip that says more than the label (the copy button's "Copied"); the label by default. */
  title?: string;
}

export function IconButton({
  icon,
  label,
  onClick,
  disabled,
  className,
  title = label,
}: IconButtonProps) {
  return (
    <button
      type="button"
      className={className ? `icon-button ${className}` : "icon-button"}
      onClick={onClick}
      disabled={disabled}
      aria-label={label}
      title={title}
    >
      <Icon name={icon} />
    </button>
  );
}
