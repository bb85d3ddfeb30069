export { EvidencePanel, type EvidencePanelProps } from "./EvidencePanel";
