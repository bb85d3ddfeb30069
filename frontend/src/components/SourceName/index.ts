export { SourceName, sourceText } from "./SourceName";
