package synth

// Rows are formatted by hand (no fmt, no time.Time) because the medium scale
// writes tens of millions of timestamps. Local offsets come from a small
// table of Europe/London offset changes built once per run.

import (
	"strconv"
	"time"

	"github.com/dcc/carport/internal/contract"
)

// zoneSpan is one stretch of time with a fixed Europe/London UTC offset.
type zoneSpan struct {
	fromMS int64 // first instant of the span
	offSec int64 // UTC offset in seconds
}

// londonZone answers "what is the London offset at ms" for instants near the
// generated period with a scan of two or three spans.
type londonZone struct{ spans []zoneSpan }

// newLondonZone finds the offset changes between fromMS and toMS by looking
// at whole hours (London changes its clocks on the hour, UTC).
func newLondonZone(fromMS, toMS int64) londonZone {
	var z londonZone
	const hour = 3_600_000
	start := fromMS - fromMS%hour
	for t := start; t <= toMS+hour; t += hour {
		_, off := time.UnixMilli(t).In(contract.London).Zone()
		if len(z.spans) == 0 || z.spans[len(z.spans)-1].offSec != int64(off) {
			from := t
			if len(z.spans) == 0 {
				from = -1 << 62
			}
			z.spans = append(z.spans, zoneSpan{fromMS: from, offSec: int64(off)})
		}
	}
	return z
}

// offset returns the London UTC offset in seconds at ms.
func (z *londonZone) offset(ms int64) int64 {
	off := z.spans[0].offSec
	for _, s := range z.spans[1:] {
		if ms < s.fromMS {
			break
		}
		off = s.offSec
	}
	return off
}

// Timestamp styles: rows mix them so readers are exercised.
const (
	tsZMillis     = iota // 2026-10-04T13:02:11.250Z
	tsZSeconds           // 2026-10-04T13:02:11Z
	tsLocalMillis        // 2026-10-04T14:02:11.250+01:00
	tsLocalSecs          // 2026-10-04T14:02:11+01:00
)

// civil converts days since 1970-01-01 to a proleptic Gregorian date.
func civil(days int64) (y, m, d int64) {
	z := days + 719468
	era := z
	if era < 0 {
		era -= 146096
	}
	era /= 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// floorDiv divides rounding towards minus infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func append2(b []byte, v int64) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }

// appendDate appends days since the epoch as YYYY-MM-DD.
func appendDate(b []byte, days int64) []byte {
	y, m, d := civil(days)
	b = append2(b, y/100)
	b = append2(b, y%100)
	b = append(b, '-')
	b = append2(b, m)
	b = append(b, '-')
	return append2(b, d)
}

// appendTS appends instant ms as RFC 3339 in the given style.
func (z *londonZone) appendTS(b []byte, ms int64, style int) []byte {
	var off int64
	if style >= tsLocalMillis {
		off = z.offset(ms)
	}
	local := ms + off*1000
	days := floorDiv(local, 86_400_000)
	rem := local - days*86_400_000
	b = appendDate(b, days)
	b = append(b, 'T')
	secs := rem / 1000
	b = append2(b, secs/3600)
	b = append(b, ':')
	b = append2(b, secs/60%60)
	b = append(b, ':')
	b = append2(b, secs%60)
	if style == tsZMillis || style == tsLocalMillis {
		milli := rem % 1000
		b = append(b, '.', byte('0'+milli/100), byte('0'+milli/10%10), byte('0'+milli%10))
	}
	if style < tsLocalMillis {
		return append(b, 'Z')
	}
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	b = append(b, sign)
	b = append2(b, off/3600)
	b = append(b, ':')
	return append2(b, off/60%60)
}

// appendField appends s as one CSV field, quoted when RFC 4180 needs it.
func appendField(b []byte, s string) []byte {
	need := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ',' || c == '"' || c == '\n' || c == '\r' {
			need = true
			break
		}
	}
	if !need {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// appendPadded appends v in decimal, left-padded with zeros to width digits.
func appendPadded(b []byte, v uint64, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendUint(tmp[:0], v, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// mix32 is a bijection on uint32: distinct inputs give distinct outputs, so
// identifiers derived from it are unique without a set.
func mix32(x, key uint32) uint32 {
	x ^= key
	x ^= x >> 16
	x *= 0x7feb352d
	x ^= x >> 15
	x *= 0x846ca68b
	x ^= x >> 16
	return x
}

const hexDigits = "0123456789ABCDEF"

// appendEUI64 appends a device id: a fixed 32-bit prefix and a bijective
// scramble of the device number.
func appendEUI64(b []byte, num uint32) []byte {
	b = append(b, "00-1B-C5-0C"...)
	v := mix32(num, 0x5eed0001)
	for shift := 24; shift >= 0; shift -= 8 {
		x := byte(v >> uint(shift))
		b = append(b, '-', hexDigits[x>>4], hexDigits[x&15])
	}
	return b
}

// mpanWeights are the MPAN core check-digit multipliers.
var mpanWeights = [12]int64{3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43}

// appendMPAN appends a 13-digit MPAN core: a 2-digit distributor area id,
// 10 digits unique per home and the standard check digit.
func appendMPAN(b []byte, area int, home uint32) []byte {
	var d [13]byte
	d[0], d[1] = byte('0'+area/10), byte('0'+area%10)
	v := uint64(mix32(home, 0x3a7f0002)) // below 2^32: ten digits at most, one-to-one
	for i := 11; i >= 2; i-- {
		d[i] = byte('0' + v%10)
		v /= 10
	}
	var sum int64
	for i := 0; i < 12; i++ {
		sum += int64(d[i]-'0') * mpanWeights[i]
	}
	d[12] = byte('0' + sum%11%10)
	return append(b, d[:]...)
}

// appendMPRN appends a 6 to 10 digit MPRN unique per home.
func appendMPRN(b []byte, home uint32) []byte {
	return appendPadded(b, uint64(mix32(home, 0x9a5e0003)), 6)
}
