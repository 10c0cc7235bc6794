package sigv4

import "time"

// Every verification parses X-Amz-Date and writes the request time back
// twice (the scope date and the string to sign). time.Parse and
// Time.AppendFormat interpret the layout on each call, which was about a
// tenth of a verification; these do the one fixed layout directly and
// leave everything else to the time package, so results and errors are
// the same.

// parseTimestamp is time.Parse(timeFormat, s).
func parseTimestamp(s string) (time.Time, error) {
	if t, ok := parseTimestampFast(s); ok {
		return t, nil
	}
	return time.Parse(timeFormat, s)
}

// parseTimestampFast reads yyyymmddThhmmssZ with every field in range. ok
// is false for anything else, including what time.Parse also accepts (a
// fractional second) or words an error for.
func parseTimestampFast(s string) (t time.Time, ok bool) {
	if len(s) != len(timeFormat) || s[8] != 'T' || s[15] != 'Z' {
		return time.Time{}, false
	}
	for i := 0; i < 15; i++ {
		if i != 8 && (s[i] < '0' || s[i] > '9') {
			return time.Time{}, false
		}
	}
	num := func(i, n int) int {
		v := 0
		for ; n > 0; i, n = i+1, n-1 {
			v = v*10 + int(s[i]-'0')
		}
		return v
	}
	year, month, day := num(0, 4), num(4, 2), num(6, 2)
	hour, minute, sec := num(9, 2), num(11, 2), num(13, 2)
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC), true
}

// appendDate is t.AppendFormat(b, "20060102").
func appendDate(b []byte, t time.Time) []byte {
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, "20060102")
	}
	b = appendDigits(b, year, 4)
	b = appendDigits(b, int(month), 2)
	return appendDigits(b, day, 2)
}

// appendTimestamp is t.AppendFormat(b, timeFormat).
func appendTimestamp(b []byte, t time.Time) []byte {
	if year := t.Year(); year < 0 || year > 9999 {
		return t.AppendFormat(b, timeFormat)
	}
	b = appendDate(b, t)
	hour, minute, sec := t.Clock()
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = appendDigits(b, minute, 2)
	b = appendDigits(b, sec, 2)
	return append(b, 'Z')
}

// appendDigits appends the n low decimal digits of v (v >= 0), zero-padded.
func appendDigits(b []byte, v, n int) []byte {
	start := len(b)
	for range n {
		b = append(b, '0')
	}
	for i := len(b) - 1; i >= start; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return b
}
