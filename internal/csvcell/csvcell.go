// Package csvcell holds the one rule that keeps a cell of a CSV file a
// party receives from running as a spreadsheet formula (OWASP "CSV
// Injection"): a text cell that begins with '=', '+', '-', '@', a tab or a
// carriage return gets a leading apostrophe, which spreadsheets read as
// "this is text". A number (an optional '-', digits, an optional fraction)
// is left alone, so numeric columns stay numeric and a negative number is
// not taken for text. The rule is idempotent: a neutralised cell begins
// with the apostrophe and is never changed again.
//
// The site's "download filtered rows" applies the same rule in the browser:
//
//	if the cell matches ^-?[0-9]+(\.[0-9]+)?$ it is kept;
//	else if its first character is one of = + - @ \t \r, "'" is put before it.
package csvcell

// Neutralise returns cell as it may be written into a CSV file a party
// receives.
func Neutralise(cell string) string {
	if !risky(cell) {
		return cell
	}
	return "'" + cell
}

// Append appends cell to dst as Neutralise would return it.
func Append(dst, cell []byte) []byte {
	if risky(cell) {
		dst = append(dst, '\'')
	}
	return append(dst, cell...)
}

// Risky reports whether Neutralise changes cell.
func Risky[T string | []byte](cell T) bool { return risky(cell) }

func risky[T string | []byte](c T) bool {
	if len(c) == 0 {
		return false
	}
	switch c[0] {
	case '=', '+', '@', '\t', '\r':
		return true
	case '-':
		return !isNumber(c[1:])
	}
	return false
}

// isNumber reports whether c is digits with an optional fraction: "12",
// "0.5"; not "", "1.", ".5" or "1e3".
func isNumber[T string | []byte](c T) bool {
	i := 0
	for i < len(c) && c[i] >= '0' && c[i] <= '9' {
		i++
	}
	if i == 0 {
		return false
	}
	if i == len(c) {
		return true
	}
	if c[i] != '.' || i+1 == len(c) {
		return false
	}
	for i++; i < len(c); i++ {
		if c[i] < '0' || c[i] > '9' {
			return false
		}
	}
	return true
}
