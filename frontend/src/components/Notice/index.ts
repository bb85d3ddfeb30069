export { Notice } from "./Notice";
