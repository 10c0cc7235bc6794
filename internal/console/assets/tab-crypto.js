// "Cryptographic configuration": the DescribeKey fields about the key's
// type, usage, origin and algorithms.
import { h, field, formatDate } from "./dom.js";

export async function cryptoTab(panel, m) {
  const list = (a) => (a && a.length ? a.join(", ") : undefined);
  panel.replaceChildren(h("h2", {}, "Cryptographic configuration"),
    h("dl", { class: "fields" },
      field("Key type", keyType(m.KeySpec), "crypto-key-type"),
      field("Key spec", m.KeySpec, "crypto-key-spec"),
      field("Key usage", m.KeyUsage, "crypto-key-usage"),
      field("Origin", m.Origin, "crypto-origin"),
      field("Encryption algorithms", list(m.EncryptionAlgorithms), "crypto-encryption-algorithms"),
      field("Signing algorithms", list(m.SigningAlgorithms), "crypto-signing-algorithms"),
      field("MAC algorithms", list(m.MacAlgorithms), "crypto-mac-algorithms"),
      field("Key agreement algorithms", list(m.KeyAgreementAlgorithms), "crypto-key-agreement-algorithms"),
      field("Encapsulation algorithms", list(m.EncapsulationAlgorithms), "crypto-encapsulation-algorithms"),
      m.ExpirationModel ? field("Expiration model", m.ExpirationModel, "crypto-expiration-model") : null,
      m.ValidTo ? field("Expiration date", formatDate(m.ValidTo), "crypto-valid-to") : null));
}

export function keyType(spec) {
  if (spec === "SYMMETRIC_DEFAULT") return "Symmetric";
  if (spec && spec.startsWith("HMAC_")) return "HMAC";
  return "Asymmetric";
}
