export { AuthProvider, useAuth, type Auth } from "./AuthContext";
export { startAuth, type AuthStart } from "./load";
export { isRedirectCallback, type AuthSession, type AuthUser } from "./session";
