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
	// Columns labels and formats the contract's columns by machine name
	// (the CSVs keep the machine names); a column missing here is shown
	// under its machine name, as text.
	Columns map[string]Column
	// Insights holds the thresholds of the home page's headline marks and
	// call-outs and of small-sample marks; nil: no call-outs, no marks.
	Insights *InsightPolicy
	// Glossary lists the codes met in this party's reports, with meanings.
	Glossary []Term
	// Thresholds are policy figures the pages quote by name, e.g.
	// "cpl_expiry_days" = "30" (see the methodology page).
	Thresholds map[string]string
}

// Column is how a column is labelled and shown.
type Column struct {
	Label  string // "Success rate", "Mean RTT (ms)"
	Format string // text, percent, count, ms, number, rank, date, datetime
	Better string // higher, lower, or "" for neither
}

// InsightPolicy holds the thresholds of headline marks and call-outs.
type InsightPolicy struct {
	MaxShown             int     // call-outs shown at most
	SmallSampleEvents    int     // figures on fewer events are small samples
	BottomQuartile       float64 // league ranks in this worst fraction are called out
	BehindIndustryPoints float64 // rates this many points below industry are called out
	BehindIndustryRatio  float64 // times this many times industry's are called out
	SegmentFailureRatio  float64 // segments failing this many times the average are called out
	LevelPoints          float64 // headline rates within this many points are level
	LevelRatio           float64 // headline times within this fraction are level
}

// Term is one code of the glossary.
type Term struct {
	Group   string `json:"group"` // "Response codes", "Alert codes", ...
	Code    string `json:"code"`
	Meaning string `json:"meaning"`
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
	// Summary is the catalogue tile's one line; empty: the description's
	// first sentence.
	Summary string
	Views   []View
	// MainView is the id of the view holding the main figure: the
	// catalogue marks the report withheld only when that view is.
	// Empty: the first view.
	MainView  string
	Changelog []Change // newest last, as defined
}

// Change is one entry of a report's changelog.
type Change struct {
	Version string `json:"version"`
	Date    string `json:"date"` // YYYY-MM-DD
	Note    string `json:"note"`
}

// View is one chart or table of a report, backed by one CSV file.
type View struct {
	ID    string // file stem: data/<role>/<report>/<ID>.csv (or <ID>.csv.gz)
	Kind  string // the definition's view kind ("league", "svp", ...): insight rules check it
	Title string
	// Header and Rows are the CSV content exactly as the output contract
	// defines it. For large device-level files (File set) they are nil.
	Header []string
	Rows   Rows
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
	// Empty is the sentence shown instead of a table without rows.
	Empty string
	// Extra columns are shown in the table beside the CSV's columns (one
	// cell per row) but are not in the CSV: the contract fixes its columns.
	Extra []ExtraColumn
	// Headlines are figures this view gives the home page.
	Headlines []Headline
	// Insights are call-out rules run on this view's rows.
	Insights []InsightRule
}

// ExtraColumn is one display-only column of a view's table.
type ExtraColumn struct {
	Name  string // machine name, labelled through Input.Columns
	Cells []string
}

// Headline is one home page figure read from a view's rows.
type Headline struct {
	Label  string
	Column string
	From   string // scope (rows you and industry), sum, distinct
}

// InsightRule is one call-out rule run on a view's rows.
type InsightRule struct {
	Rule   string   // bottom_quartile, behind_industry, segment_failures
	Column string   // the figure compared
	Count  string   // the column counting events
	Failed string   // segment_failures: the outcome value that is a failure
	By     []string // segment_failures: dimensions searched
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
	// MarkDays are the days with incidents: the incidents overlapping
	// them are drawn as shaded bands on daily charts.
	MarkDays []string
	// Sample names the column counting the events behind each row:
	// points of the first series on fewer events than the policy's
	// small-sample threshold are marked.
	Sample string
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
