package site

// Figures are shown the way the column catalogue says (a fraction as a
// percentage to one decimal, whole numbers with thousands separators);
// the CSVs keep the contract's machine form. The browser formats table
// cells with the same rules (site.js formatCell); these format what Go
// writes into pages: headline figures, call-outs and chart text
// alternatives.

import (
	"math"
	"strconv"
	"strings"
)

// The column formats (reportdef.ColumnFormats).
const (
	fmtText     = "text"
	fmtPercent  = "percent"
	fmtCount    = "count"
	fmtMS       = "ms"
	fmtNumber   = "number"
	fmtRank     = "rank"
	fmtDate     = "date"
	fmtDatetime = "datetime"
)

// numericFormat reports whether cells of format f are numbers.
func numericFormat(f string) bool {
	switch f {
	case fmtPercent, fmtCount, fmtMS, fmtNumber, fmtRank:
		return true
	}
	return false
}

// column returns how the column named name is shown: from the catalogue,
// or its machine name as text.
func (in *Input) column(name string) Column {
	if c, ok := in.Columns[name]; ok {
		if c.Label == "" {
			c.Label = name
		}
		if c.Format == "" {
			c.Format = fmtText
		}
		return c
	}
	return Column{Label: name, Format: fmtText}
}

// formatValue shows the number v in format f: "96.4%", "12,345".
func formatValue(v float64, f string) string {
	switch f {
	case fmtPercent:
		return strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
	case fmtCount, fmtMS, fmtRank:
		return thousands(int64(math.Round(v)))
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return thousands(int64(v))
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// figure is a value standing alone, with its unit: "3,992 ms".
func figure(v float64, f string) string {
	if f == fmtMS {
		return formatValue(v, f) + " ms"
	}
	return formatValue(v, f)
}

// thousands writes n with commas between groups of three digits.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
