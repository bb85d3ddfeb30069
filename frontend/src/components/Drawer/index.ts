export { Drawer, type DrawerProps } from "./Drawer";
export { DrawerHeader, type DrawerHeaderProps } from "./DrawerHeader";
