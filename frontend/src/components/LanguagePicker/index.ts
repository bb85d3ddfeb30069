export { LanguagePicker } from "./LanguagePicker";
