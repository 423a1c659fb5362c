// Package site renders one party's static site with Hugo (as a library)
// from templates/ and content/, with interactive ECharts charts built by
// go-echarts, sortable and filterable tables, and the CSV behind every chart.
// The site works opened from disk (file://), offline: relative .html links,
// data in classic <script src> files, ECharts copied in, no CDN, no fetch.
//
// It is the only package that imports Hugo and go-echarts.
package site

// Input is everything one party's site shows. The engine fills it; the site
// package only lays it out.
type Input struct {
	Period           string // "2026-10"
	PartyID          string
	PartyName        string
	ContactEmail     string // where feedback links point; may be empty
	GeneratorVersion string
	Roles            []RoleInput // the roles the party holds, in contract order
	// Incidents of the period, shown on daily views and on a page of their own.
	Incidents []Incident
	// MinPeers is the disclosure rule's k, quoted on the methodology page.
	MinPeers int
	// SigningKey is the DCC's public minisign key the bundle is signed
	// with, shown on the Help page for checking a bundle with minisign.
	SigningKey string
}

// RoleInput is one user role of the party and its report instances.
type RoleInput struct {
	Role     string // "IS"
	RoleName string // "Import Supplier"
	Reports  []Report
}

// Report is one report instance (a definition expanded over its matrix).
type Report struct {
	ID          string // instance id, e.g. "srv-4.1.1"; folder under data/<role>/
	DefID       string // definition id, e.g. "srv"
	Version     string // semver of the definition
	Title       string
	Category    string // theme on the site
	Description string // Markdown
	Help        string // Markdown
	Views       []View
}

// View is one chart or table of a report, backed by one CSV file.
type View struct {
	ID    string // file stem: data/<role>/<report>/<ID>.csv (or <ID>.csv.gz)
	Title string
	// Header and Rows are the CSV content exactly as the output contract
	// defines it. For large device-level files (File set) they are nil.
	Header []string
	Rows   [][]string
	// File, when set, is an already written file (e.g. devices.csv.gz) to
	// copy into the site at data/<role>/<report>/<basename of File>; the
	// page links to it for download but draws no chart or table.
	File string
	// Chart says how to draw the rows; Kind "table" draws only the table.
	Chart Chart
	// Withheld explains, in plain words, figures withheld by the
	// minimum-peers rule; empty when nothing was withheld.
	Withheld string
	// Note is extra Markdown shown under the view (definitions, caveats).
	Note string
}

// Chart describes the chart drawn from a view's rows.
type Chart struct {
	Kind   string   // "bar", "line", "table"
	X      string   // column holding categories (x axis)
	Series []string // columns plotted as series (numbers; empty cells are gaps)
	// Highlight names a column whose non-empty value marks the recipient's
	// own row (league tables: the "party" column); that bar is emphasised.
	Highlight string
	// Percent shows the series as percentages (rates in [0,1]).
	Percent bool
	// Stack stacks the series (shares).
	Stack bool
	// GroupBy, when set, draws one small chart per distinct value of this
	// column (e.g. one firmware chart per device model).
	GroupBy string
	// SeriesFrom, when set with Series of length 1, pivots: one series per
	// distinct value of this column (e.g. "series": you / industry / peer).
	SeriesFrom string
	// MarkDays marks the x categories listed (incident days) on the chart.
	MarkDays []string
}

// Incident is a Category 1 or 2 incident shown on the site.
type Incident struct {
	ID       string
	Category int
	Start    string // RFC 3339
	End      string // RFC 3339, empty while open
	Regions  string // "North;South" or "all"
	Title    string
	Dates    []string // period days it overlaps, "YYYY-MM-DD"
}
