export { ExportMenu, type ExportMenuProps } from "./ExportMenu";
