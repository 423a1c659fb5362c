package site

// The repetitive parts of a report page (each view's chart figures and the
// slot of its table) are written here in Go rather than by a Hugo range:
// Hugo's templates evaluate every field by reflection, and these parts
// repeat per view on every one of a party's pages. The layout keeps the
// page's structure and authored words.

import (
	"html"
	"strings"
)

// chartsHTML is a view's chart figures: a grid when there are many.
func chartsHTML(v *viewPlan) string {
	if len(v.charts) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(`<div class="charts`)
	if len(v.charts) > 2 {
		b.WriteString(` chart-grid`)
	}
	b.WriteString("\">\n")
	for _, c := range v.charts {
		b.WriteString(`<figure class="chart-box">`)
		if c.title != "" {
			b.WriteString("<figcaption>" + html.EscapeString(c.title) + "</figcaption>")
		}
		b.WriteString(`<div class="chart" id="` + html.EscapeString(c.div) + `" role="img" aria-label="` + html.EscapeString(c.label) + `"></div></figure>` + "\n")
	}
	b.WriteString("</div>\n")
	return b.String()
}

// tableHTML is a view's table as the page carries it: a slot that the
// site JS fills with the tools (filter, count, downloads), the table with
// its head and the pager, from the spec and rows in the page's data script
// (see tableScript). Without JavaScript the slot is the CSV's download
// link: the table could not be filled anyway. Written by the browser, the
// table's markup costs the site nothing: it was half of every report
// page's bytes.
func tableHTML(v *viewPlan, href, fileName string) string {
	return `<div class="table-slot" data-table="t-` + html.EscapeString(v.in.ID) + `"><p class="download"><a class="button" href="` + html.EscapeString(href) +
		`" download>Download ` + html.EscapeString(fileName) + "</a> The table needs JavaScript: the CSV file holds every row.</p></div>\n"
}
