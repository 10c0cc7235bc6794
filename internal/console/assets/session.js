// What the console remembers: the credentials and the Region, in
// sessionStorage only. They live as long as the tab, are never written to
// localStorage or a cookie, and leave the browser only as a signature
// (and, for temporary credentials, the session token header AWS requires).

const CREDENTIALS = "trent.console.credentials";
const REGION = "trent.console.region";
export const DEFAULT_REGION = "us-east-1";

export function credentials() {
  const raw = sessionStorage.getItem(CREDENTIALS);
  if (!raw) return null;
  try {
    const c = JSON.parse(raw);
    return c.accessKeyId && c.secretAccessKey ? c : null;
  } catch {
    return null;
  }
}

export function setCredentials({ accessKeyId, secretAccessKey, sessionToken }) {
  sessionStorage.setItem(CREDENTIALS, JSON.stringify({ accessKeyId, secretAccessKey, sessionToken: sessionToken || "" }));
}

export function signOut() {
  sessionStorage.removeItem(CREDENTIALS);
}

export function region() {
  return sessionStorage.getItem(REGION) || DEFAULT_REGION;
}

export function setRegion(r) {
  sessionStorage.setItem(REGION, r);
}
