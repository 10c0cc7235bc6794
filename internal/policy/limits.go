package policy

import (
	"unicode/utf8"

	"github.com/trent-kms/trent/internal/kmserr"
)

// MaxLength is the key policy size limit in characters. The PutKeyPolicy API
// reference gives "Maximum length of 32768" and says a longer policy gets
// LimitExceededException; the service model's PolicyType says 131072, but
// the documented limit is the one AWS enforces (spec digest §5 and §7).
const MaxLength = 32768

// Pattern is the service model's pattern for PolicyType: tab, line feed,
// carriage return and U+0020..U+00FF. Exported so that a caller collecting
// several validation errors into one Coral message can name it.
const Pattern = `[\u0009\u000A\u000D\u0020-\u00FF]+`

// CheckSize returns LimitExceededException when doc is longer than
// MaxLength characters. It counts characters, not bytes: "é" is one
// character and two UTF-8 bytes. Run it after CheckCharacters, which keeps
// every character below U+0100, where characters and UTF-16 code units (what
// AWS counts) are the same thing.
func CheckSize(doc string) error {
	if n := utf8.RuneCountInString(doc); n > MaxLength {
		return kmserr.LimitExceeded("The key policy is %d characters long, more than the maximum of %d.", n, MaxLength)
	}
	return nil
}

// CheckCharacters returns ValidationException, in the Coral format AWS uses
// for model constraints, when doc is empty or has a character outside
// Pattern. The member's value is left out of the message, as a policy can
// be 32 KB long. Invalid UTF-8 fails too: U+FFFD, the decoder's
// replacement character, is outside the pattern.
func CheckCharacters(doc string) error {
	if doc == "" {
		return kmserr.Validation("1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	for _, r := range doc {
		if !(r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xFF) {
			return kmserr.Validation("1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern: " + Pattern)
		}
	}
	return nil
}
