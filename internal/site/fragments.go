package site

// The repetitive parts of a report page (each view's chart figures, table
// tools, table head and pager) are written here in Go rather than by a
// Hugo range: Hugo's templates evaluate every field by reflection, and
// these parts repeat per view and per column on every one of a party's
// pages. The layout keeps the page's structure and authored words.

import (
	"html"
	"strconv"
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

// tableHTML is a view's table: the tools above it (filter, count,
// downloads), its head, an empty body the site JS fills from the page's
// data script, and the pager below.
func tableHTML(v *viewPlan, title, href, fileName string, minEvents int) string {
	id := html.EscapeString(v.in.ID)
	t := html.EscapeString(title)
	var b strings.Builder
	b.WriteString(`<div class="table-tools"><label>Filter rows <input type="search" class="filter" data-table="t-` + id + `" autocomplete="off"></label>` +
		`<span class="count" id="n-` + id + `" aria-live="polite">` + thousands(int64(len(v.in.Rows))) + " rows</span>" +
		`<button type="button" class="dl" data-table="t-` + id + `" data-name="` + id + `-filtered.csv">Download filtered rows as CSV</button>` +
		`<a class="button" href="` + html.EscapeString(href) + `" download>Download ` + html.EscapeString(fileName) + "</a></div>\n")
	b.WriteString(`<div class="table-wrap" tabindex="0" role="region" aria-label="` + t + ` table">` +
		`<table class="data" id="t-` + id + `" data-count="n-` + id + `"`)
	if v.own >= 0 {
		b.WriteString(` data-own="` + html.EscapeString(v.in.Header[v.own]) + `"`)
	}
	if v.sample >= 0 && minEvents > 0 {
		b.WriteString(` data-sample="` + html.EscapeString(v.in.Header[v.sample]) + `" data-min="` + strconv.Itoa(minEvents) + `"`)
	}
	b.WriteString(`><caption class="sr">` + t + ". Select a column heading to sort.</caption>\n<thead><tr>")
	for _, c := range v.cols {
		b.WriteString(`<th data-format="` + c.Format + `"`)
		if c.Numeric {
			b.WriteString(` class="num" data-numeric="true"`)
		}
		b.WriteString(`><button type="button" title="` + html.EscapeString(c.Name) + `">` + html.EscapeString(c.Label) + "</button></th>")
	}
	b.WriteString("</tr></thead>\n<tbody><tr class=\"loading\"><td colspan=\"" + strconv.Itoa(len(v.cols)) +
		"\">The table needs JavaScript: the CSV file holds every row.</td></tr></tbody>\n</table></div>\n" +
		`<nav class="pager" data-table="t-` + id + `" aria-label="Pages of ` + t + `" hidden></nav>` + "\n")
	return b.String()
}
