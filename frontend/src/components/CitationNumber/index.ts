export { CitationNumber, type CitationNumberProps } from "./CitationNumber";
