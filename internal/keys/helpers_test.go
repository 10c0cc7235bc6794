package keys

import "time"

func testTime(days int) time.Time {
	return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(days) * Day)
}
