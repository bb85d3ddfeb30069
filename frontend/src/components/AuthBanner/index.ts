export { AuthBanner, type AuthBannerProps } from "./AuthBanner";
