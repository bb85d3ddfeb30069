export { OfflineBanner } from "./OfflineBanner";
