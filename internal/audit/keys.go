package audit

// Device ids, MPxNs and postcodes are compared as exact uint64 keys, not
// hashes: an EUI-64 is 64 bits, an MPxN at most 13 digits (its length is
// kept so leading zeros count), a postcode at most 7 letters and digits
// once its space is dropped (6 bits each). No false match is possible.

// deviceKey parses "HH-HH-HH-HH-HH-HH-HH-HH" (hex, either case).
func deviceKey(b []byte) (uint64, bool) {
	if len(b) != 23 {
		return 0, false
	}
	var v uint64
	for i := 0; i < 23; i++ {
		c := b[i]
		if i%3 == 2 {
			if c != '-' {
				return 0, false
			}
			continue
		}
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		default:
			return 0, false
		}
		v = v<<4 | uint64(d)
	}
	return v, true
}

// mpxnKey packs a run of 6 to 13 digits with its length.
// mpanLen is the length of an MPAN; MPRNs have 6 to 10 digits.
const mpanLen = 13

// deviceIDLen is the length of a device id, eight hex pairs joined by
// dashes (deviceKey).
const deviceIDLen = 23

func mpxnKey(b []byte) (uint64, bool) {
	if len(b) < 6 || len(b) > 13 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v | uint64(len(b))<<56, true
}

// postcodeKey packs a UK postcode: outward code [A-Z]{1,2}[0-9][A-Z0-9]?,
// one space or none, inward code [0-9][A-Z]{2}. Letters are upper-cased.
func postcodeKey(b []byte) (uint64, bool) {
	var v uint64
	n := 0
	for _, c := range b {
		switch {
		case c == ' ':
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		}
		var d uint64
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c-'0') + 1
		case c >= 'A' && c <= 'Z':
			d = uint64(c-'A') + 11
		default:
			return 0, false
		}
		v = v<<6 | d
		n++
	}
	if n < 5 || n > 7 {
		return 0, false
	}
	return v, true
}

// outward reports whether b is a postcode's outward code.
func outward(b []byte) bool {
	n := len(b)
	if n < 2 || n > 4 || !upper(b[0]) {
		return false
	}
	i := 1
	if upper(b[1]) {
		i = 2
	}
	if i >= n || !digit(b[i]) {
		return false
	}
	i++
	if i < n && (upper(b[i]) || digit(b[i])) {
		i++
	}
	return i == n
}

// inward reports whether b is a postcode's inward code.
func inward(b []byte) bool {
	return len(b) == 3 && digit(b[0]) && upper(b[1]) && upper(b[2])
}

func upper(c byte) bool { return c >= 'A' && c <= 'Z' }
func digit(c byte) bool { return c >= '0' && c <= '9' }
func alnum(c byte) bool { return digit(c) || upper(c) || (c >= 'a' && c <= 'z') }

// idByte is a character of a party id and of the runs the scanner cuts
// text into.
func idByte(c byte) bool { return idBytes[c] }

var idBytes = func() (t [256]bool) {
	for c := range 256 {
		b := byte(c)
		t[c] = alnum(b) || b == '_' || b == '-'
	}
	return t
}()
