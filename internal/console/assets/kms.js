// The console's KMS client: one signed POST / per call, exactly what an SDK
// sends. Errors come back as KmsError with the server's __type and message,
// so the page can show them as AWS reports them.
import { signRequest } from "./sigv4.js";
import * as session from "./session.js";

export class KmsError extends Error {
  constructor(type, message, status) {
    super(message);
    this.type = type;
    this.status = status;
  }
  toString() {
    return `${this.type}: ${this.message}`;
  }
}

export async function call(operation, input = {}) {
  const creds = session.credentials();
  if (!creds) throw new KmsError("MissingCredentials", "Sign in with an access key first.", 0);
  const body = new TextEncoder().encode(JSON.stringify(input));
  const headers = await signRequest({
    host: location.host, region: session.region(), target: `TrentService.${operation}`, body, credentials: creds,
  });
  let response;
  try {
    response = await fetch("/", { method: "POST", headers, body, credentials: "omit", cache: "no-store" });
  } catch (e) {
    throw new KmsError("NetworkError", `The request did not reach Trent: ${e.message}`, 0);
  }
  const text = await response.text();
  let data = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    throw new KmsError("InvalidResponse", `HTTP ${response.status}: the response is not JSON.`, response.status);
  }
  if (!response.ok) {
    // AWS JSON errors may carry a namespace ("...#NotFoundException") and
    // spell the message field either way.
    const type = String(response.headers.get("X-Amzn-ErrorType") || data.__type || "UnknownError").split(":")[0];
    throw new KmsError(type.slice(type.lastIndexOf("#") + 1), data.message || data.Message || "", response.status);
  }
  return data;
}

// all follows a paginated List operation to its end and returns the
// concatenated member lists.
export async function all(operation, input, member) {
  const items = [];
  let marker;
  do {
    const page = await call(operation, marker ? { ...input, Marker: marker } : input);
    items.push(...(page[member] || []));
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return items;
}
