package contract

// MaxCode is the longest SRV or alert code accepted.
const MaxCode = 32

// ValidCode reports whether an SRV or alert code may name a report folder
// (data/<role>/srv-<code>/): ASCII letters, digits, '.', '_' and '-', at
// most MaxCode bytes, starting with a letter or digit ("4.1.1", "8F35",
// "N24").
func ValidCode(c string) bool {
	if len(c) == 0 || len(c) > MaxCode {
		return false
	}
	for i := 0; i < len(c); i++ {
		x := c[i]
		alnum := x >= 'a' && x <= 'z' || x >= 'A' && x <= 'Z' || x >= '0' && x <= '9'
		if !alnum && (i == 0 || x != '.' && x != '_' && x != '-') {
			return false
		}
	}
	return true
}
