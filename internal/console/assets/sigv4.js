// AWS Signature Version 4 for the KMS JSON API, computed with WebCrypto.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
// The console signs POST / with exactly the headers the server must see
// unchanged: content-type, host, x-amz-date, x-amz-target and, for
// temporary credentials, x-amz-security-token. Headers the browser adds on
// its own (origin, user-agent, ...) are left out of the signature.

const encoder = new TextEncoder();

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha256Hex(data) {
  return hex(await crypto.subtle.digest("SHA-256", typeof data === "string" ? encoder.encode(data) : data));
}

async function hmac(key, data) {
  const k = await crypto.subtle.importKey("raw", typeof key === "string" ? encoder.encode(key) : key,
    { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", k, encoder.encode(data));
}

// amzDate formats a Date as SigV4's basic ISO 8601 form, 20060102T150405Z.
export function amzDate(date) {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

// signRequest returns the headers to send with a KMS request: the signed
// ones and Authorization. body is the exact bytes to send (a Uint8Array).
// host is the Host header the browser will send (location.host).
export async function signRequest({ host, region, target, body, credentials, date }) {
  const when = amzDate(date || new Date());
  const day = when.slice(0, 8);
  const headers = {
    "content-type": "application/x-amz-json-1.1",
    host,
    "x-amz-date": when,
    "x-amz-target": target,
  };
  if (credentials.sessionToken) headers["x-amz-security-token"] = credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${String(headers[n]).trim()}\n`).join("");
  const signedHeaders = names.join(";");
  const canonicalRequest = ["POST", "/", "", canonicalHeaders, signedHeaders, await sha256Hex(body)].join("\n");
  const scope = `${day}/${region}/kms/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", when, scope, await sha256Hex(canonicalRequest)].join("\n");
  let key = await hmac("AWS4" + credentials.secretAccessKey, day);
  key = await hmac(key, region);
  key = await hmac(key, "kms");
  key = await hmac(key, "aws4_request");
  const signature = hex(await hmac(key, stringToSign));
  const out = {
    "Content-Type": headers["content-type"],
    "X-Amz-Date": when,
    "X-Amz-Target": target,
    Authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, ` +
      `SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
  if (credentials.sessionToken) out["X-Amz-Security-Token"] = credentials.sessionToken;
  return out;
}
