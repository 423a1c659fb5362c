package extract

// Field parsers for the hot path. They work on bytes, never allocate and
// accept exactly the forms of the contract: RFC 3339 timestamps with an
// offset, YYYY-MM-DD dates, decimal integers and true/false.

// parseInt parses an optionally negative decimal integer.
func parseInt(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg = true
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// parseBool accepts exactly "true" and "false".
func parseBool(b []byte) (v, ok bool) {
	switch string(b) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// digits parses b[i:i+n] as an unsigned decimal number.
func digits(b []byte, i, n int) (int, bool) {
	v := 0
	for _, c := range b[i : i+n] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// daysFromCivil returns the days from 1970-01-01 to y-m-d in the proleptic
// Gregorian calendar (H. Hinnant's days_from_civil).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parseYMD parses "YYYY-MM-DD" at the start of b (b must be ≥ 10 bytes).
func parseYMD(b []byte) (int64, bool) {
	if b[4] != '-' || b[7] != '-' {
		return 0, false
	}
	y, ok1 := digits(b, 0, 4)
	m, ok2 := digits(b, 5, 2)
	d, ok3 := digits(b, 8, 2)
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	return daysFromCivil(y, m, d), true
}

// parseDate parses "YYYY-MM-DD" to days since 1970-01-01.
func parseDate(b []byte) (int32, bool) {
	if len(b) != 10 {
		return 0, false
	}
	d, ok := parseYMD(b)
	return int32(d), ok
}

// parseTimestamp parses an RFC 3339 date-time with an offset
// ("2026-10-04T13:02:11Z", "2026-10-04T14:02:11.250+01:00") to Unix
// milliseconds. Fractions finer than a millisecond are truncated; leap
// seconds are rejected, as time.Parse does.
func parseTimestamp(b []byte) (int64, bool) { return parseTimestampWith(b, nil) }

// dayCache remembers the last date parsed by one worker: rows come roughly
// in time order, so most timestamps repeat the previous row's date and
// skip the calendar arithmetic.
type dayCache struct {
	ymd  [10]byte
	days int64
	ok   bool
}

// parseYMD is parseYMD through the cache; b must be ≥ 10 bytes.
func (c *dayCache) parseYMD(b []byte) (int64, bool) {
	if c.ok && string(b[:10]) == string(c.ymd[:]) {
		return c.days, true
	}
	d, ok := parseYMD(b)
	if ok {
		copy(c.ymd[:], b[:10])
		c.days, c.ok = d, true
	}
	return d, ok
}

// parseTimestampWith is parseTimestamp with an optional date cache.
func parseTimestampWith(b []byte, c *dayCache) (int64, bool) {
	if len(b) < 20 {
		return 0, false
	}
	var days int64
	var ok bool
	if c != nil {
		days, ok = c.parseYMD(b)
	} else {
		days, ok = parseYMD(b)
	}
	if !ok || b[10] != 'T' && b[10] != 't' || b[13] != ':' || b[16] != ':' {
		return 0, false
	}
	h, ok1 := digits(b, 11, 2)
	mi, ok2 := digits(b, 14, 2)
	s, ok3 := digits(b, 17, 2)
	if !ok1 || !ok2 || !ok3 || h > 23 || mi > 59 || s > 59 {
		return 0, false
	}
	i := 19
	ms := 0
	if b[i] == '.' {
		i++
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			if i-start < 3 {
				ms = ms*10 + int(b[i]-'0')
			}
			i++
		}
		n := i - start
		if n == 0 {
			return 0, false
		}
		for ; n < 3; n++ {
			ms *= 10
		}
	}
	if i >= len(b) {
		return 0, false
	}
	off := 0
	switch b[i] {
	case 'Z', 'z': // RFC 3339 5.6: T and Z may be lower case
		i++
	case '+', '-':
		if len(b)-i != 6 || b[i+3] != ':' {
			return 0, false
		}
		oh, ok1 := digits(b, i+1, 2)
		om, ok2 := digits(b, i+4, 2)
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return 0, false
		}
		off = oh*60 + om
		if b[i] == '-' {
			off = -off
		}
		i += 6
	default:
		return 0, false
	}
	if i != len(b) {
		return 0, false
	}
	sec := days*86400 + int64(h*3600+mi*60+s) - int64(off*60)
	return sec*1000 + int64(ms), true
}
