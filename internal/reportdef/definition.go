package reportdef

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dcc/carport/internal/contract"
)

// SchemaVersion is the schema of the files this generator reads: every
// definition, catalogue, the policy and documents.toml says
// schema_version = 1, and a file of another version is refused at its
// line rather than read as something it is not.
const SchemaVersion = 1

// checkSchema refuses a file of another schema version.
func (d *decoder) checkSchema(v int) {
	if v != SchemaVersion {
		d.addf("schema_version", "schema_version is %d, this generator reads %d", v, SchemaVersion)
	}
}

// rawDef is one definition file as written.
type rawDef struct {
	SchemaVersion int          `toml:"schema_version"`
	ID            string       `toml:"id"`
	Version       string       `toml:"version"`
	Title         string       `toml:"title"`
	Category      string       `toml:"category"`
	Status        string       `toml:"status"`
	Audience      []roleField  `toml:"audience"`
	Owner         string       `toml:"owner"`
	Description   string       `toml:"description"`
	Help          string       `toml:"help"`
	Dataset       datasetField `toml:"dataset"`
	MainView      string       `toml:"main_view"`
	Matrix        *rawMatrix   `toml:"matrix"`
	Views         []rawView    `toml:"views"`
	Changelog     []rawChange  `toml:"changelog"`
}

type rawMatrix struct {
	Over   string   `toml:"over"`
	Values []string `toml:"values"`
}

type rawView struct {
	ID         string        `toml:"id"`
	Kind       kindField     `toml:"kind"`
	Title      string        `toml:"title"`
	Note       string        `toml:"note"`
	Dimensions []string      `toml:"dimensions"`
	Roles      []roleField   `toml:"roles"`
	Only       []string      `toml:"only"`
	Window     string        `toml:"window"`
	WithinDays int           `toml:"within_days"`
	Empty      string        `toml:"empty"`
	Chart      *rawChart     `toml:"chart"`
	Headline   []rawHeadline `toml:"headline"`
	Insight    []rawInsight  `toml:"insight"`
}

type rawHeadline struct {
	Label  string `toml:"label"`
	Column string `toml:"column"`
	From   string `toml:"from"`
}

type rawInsight struct {
	Rule   string   `toml:"rule"`
	Column string   `toml:"column"`
	Count  string   `toml:"count"`
	Failed string   `toml:"failed"`
	By     []string `toml:"by"`
}

type rawChart struct {
	Kind       chartField `toml:"kind"`
	X          string     `toml:"x"`
	Series     []string   `toml:"series"`
	Highlight  string     `toml:"highlight"`
	Percent    bool       `toml:"percent"`
	Stack      bool       `toml:"stack"`
	GroupBy    string     `toml:"group_by"`
	SeriesFrom string     `toml:"series_from"`
	Sample     string     `toml:"sample"`
}

type rawChange struct {
	Version string    `toml:"version"`
	Date    time.Time `toml:"date"`
	Note    string    `toml:"note"`
}

// Definition is a validated report definition.
type Definition struct {
	File        string // path as loaded, for messages
	ID          string
	Version     Semver
	Title       string // may hold {key} and {name}, filled per matrix value
	Category    string
	Status      string
	Audience    []contract.Role
	Owner       string
	Description string
	Help        string
	Dataset     contract.Dataset
	// MainView is the id of the view holding the report's main figure:
	// the home page marks a report "figures withheld" only when that
	// view's peer or industry figures are. Defaults to the first view.
	MainView   string
	MatrixOver string   // "" when the definition has no matrix
	MatrixKeys []string // explicit values; nil means the whole catalogue
	Views      []View
	Changelog  []Change
	// Digest is the sha256 of the file's bytes: lint compares it with the
	// base revision's to find changes that lack a version bump.
	Digest string
	loc    locator
}

// Line returns the line of a dotted key in the definition's file, e.g.
// "version" or "views.2.chart.kind" (indexes count from 0), falling back to
// the nearest enclosing key that was written, then 0.
func (d *Definition) Line(key string) int { return d.loc.line(key) }

// Pos is "FILE:LINE" of a dotted key of the definition (see Line), or
// the file alone when no line is known: where an engine error about the
// definition points.
func (d *Definition) Pos(key string) string {
	if n := d.Line(key); n > 0 {
		return fmt.Sprintf("%s:%d", d.File, n)
	}
	return d.File
}

// Key is the dotted key of field k of the view ("views.2.kind"), for
// Definition.Line and Definition.Pos.
func (v View) Key(k string) string { return fmt.Sprintf("views.%d.%s", v.Index, k) }

// View is a validated view of a definition.
type View struct {
	Index      int    // position among the definition's views
	ID         string // file stem under data/<role>/<instance>/
	Kind       contract.ViewKind
	Title      string
	Note       string
	Dimensions []string        // for failures and svp; defaults to the contract's
	Roles      []contract.Role // nil: every role of the instance
	Only       []string        // matrix keys the view is limited to; nil: all
	Window     time.Duration   // followup/unmatched; 0: the policy's
	WithinDays int             // exceptions; 0: the policy's
	// Empty is the sentence a site shows instead of an empty table, e.g.
	// "No failed requests this month."
	Empty     string
	Chart     Chart
	Headlines []Headline // figures this view gives the home page
	Insights  []Insight  // call-out rules run on this view's rows
}

// Headline is one figure of the home page read from a view's rows.
type Headline struct {
	Label  string // "Success rate, all service requests"
	Column string // the column read
	From   string // one of HeadlineFroms
}

// Insight is one call-out rule (one of InsightRules) run on a view.
type Insight struct {
	Rule   string
	Column string   // bottom_quartile, behind_industry: the figure compared
	Count  string   // behind_industry, segment_failures: the events column
	Failed string   // segment_failures: the outcome value that is a failure
	By     []string // segment_failures: the dimensions searched
}

// Chart says how a view is drawn.
type Chart struct {
	Kind       ChartKind
	X          string
	Series     []string
	Highlight  string
	Percent    bool
	Stack      bool
	GroupBy    string
	SeriesFrom string
	// Sample names the column counting the events behind each point:
	// points of the first series resting on fewer events than the
	// policy's small_sample_events are marked as small samples.
	Sample string
}

// Change is one changelog entry.
type Change struct {
	Version Semver
	Date    string // YYYY-MM-DD
	Note    string
}

// Semver is a MAJOR.MINOR.PATCH version.
type Semver struct{ Major, Minor, Patch int }

var semverRE = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$`)

// ParseSemver parses "1.2.3".
func ParseSemver(s string) (Semver, error) {
	m := semverRE.FindStringSubmatch(s)
	if m == nil {
		return Semver{}, fmt.Errorf("%q is not a semantic version MAJOR.MINOR.PATCH", s)
	}
	var v Semver
	v.Major, _ = strconv.Atoi(m[1])
	v.Minor, _ = strconv.Atoi(m[2])
	v.Patch, _ = strconv.Atoi(m[3])
	return v, nil
}

// String returns "MAJOR.MINOR.PATCH".
func (v Semver) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// Less reports whether v is an earlier version than w.
func (v Semver) Less(w Semver) bool {
	if v.Major != w.Major {
		return v.Major < w.Major
	}
	if v.Minor != w.Minor {
		return v.Minor < w.Minor
	}
	return v.Patch < w.Patch
}

var idRE = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// compileDef validates a decoded definition against the catalogue.
func (d *decoder) compileDef(r *rawDef, src []byte, cat *Catalogue) *Definition {
	def := &Definition{File: d.file, Title: r.Title, Category: r.Category, Owner: r.Owner,
		Description: strings.TrimSpace(r.Description), Help: strings.TrimSpace(r.Help)}
	sum := sha256.Sum256(src)
	def.Digest = hex.EncodeToString(sum[:])
	def.loc = d.loc
	d.checkSchema(r.SchemaVersion)
	def.ID = r.ID
	if !idRE.MatchString(r.ID) {
		d.addf("id", "id %q must be lowercase words joined by dashes, e.g. \"srv\" or \"alerts-all\"", r.ID)
	}
	var err error
	def.Version, err = ParseSemver(r.Version)
	versionOK := err == nil
	if !versionOK {
		d.addf("version", "%v", err)
	}
	for _, k := range []struct{ key, val string }{{"title", r.Title}, {"category", r.Category}, {"owner", r.Owner}, {"description", r.Description}} {
		if strings.TrimSpace(k.val) == "" {
			d.addf(k.key, "%s is required", k.key)
		}
	}
	def.Status = r.Status
	if !slices.Contains(Statuses, r.Status) {
		d.addf("status", "unknown status %q (want one of %s)", r.Status, strings.Join(Statuses, ", "))
	}
	if len(r.Audience) == 0 {
		d.addf("audience", "audience must list at least one user role")
	}
	for _, a := range r.Audience {
		if check(d, "audience", a) {
			def.Audience = append(def.Audience, a.Value)
		}
	}
	// kinds is nil for an unknown dataset: its views' kinds are then not
	// checked, the dataset's problem being the one to fix
	var kinds []contract.ViewKind
	if check(d, "dataset", r.Dataset) {
		def.Dataset = r.Dataset.Value
		kinds = contract.Kinds(def.Dataset)
	}
	if r.Matrix != nil {
		def.MatrixOver = r.Matrix.Over
		want, ok := MatrixOver[r.Matrix.Over]
		switch {
		case !ok:
			d.addf("matrix.over", "unknown matrix %q (want srv or alert)", r.Matrix.Over)
		case kinds != nil && want != def.Dataset:
			d.addf("matrix.over", "a matrix over %q needs dataset %q, not %q", r.Matrix.Over, want, def.Dataset)
		}
		if len(r.Matrix.Values) == 0 {
			d.addf("matrix.values", "values must list matrix keys, or [\"*\"] for the whole catalogue")
		}
		if !(len(r.Matrix.Values) == 1 && r.Matrix.Values[0] == "*") {
			listed := map[string]bool{}
			for _, v := range r.Matrix.Values {
				switch {
				case v == "*":
					d.addf("matrix.values", "\"*\" (the whole catalogue) must be the only value")
				case listed[v]:
					d.addf("matrix.values", "%s %q is listed twice", r.Matrix.Over, v)
				case ok && !cat.Has(r.Matrix.Over, v):
					d.addf("matrix.values", "%s %q is not in the %s catalogue", r.Matrix.Over, v, r.Matrix.Over)
				}
				listed[v] = true
			}
			def.MatrixKeys = r.Matrix.Values
		}
	}
	if len(r.Views) == 0 {
		d.addf("views", "a report needs at least one view")
	}
	viewIDs := map[string]bool{}
	for i, rv := range r.Views {
		key := func(k string) string { return fmt.Sprintf("views.%d.%s", i, k) }
		v := View{Index: i, ID: rv.ID, Kind: rv.Kind.Value, Title: rv.Title, Note: strings.TrimSpace(rv.Note), WithinDays: rv.WithinDays}
		if !idRE.MatchString(rv.ID) {
			d.addf(key("id"), "view id %q must be lowercase words joined by dashes", rv.ID)
		} else if viewIDs[rv.ID] {
			d.addf(key("id"), "duplicate view id %q", rv.ID)
		}
		viewIDs[rv.ID] = true
		// the contract's view of this kind, when the dataset offers it
		spec, kindOK := contract.LookupView(def.Dataset, rv.Kind.Value)
		if kinds != nil && (rv.Kind.Err != nil || !kindOK) {
			d.addf(key("kind"), "unknown view kind %q for dataset %s (want one of %s)", rv.Kind.Text, def.Dataset, contract.KindNames(def.Dataset))
		}
		if strings.TrimSpace(rv.Title) == "" {
			d.addf(key("title"), "title is required")
		}
		for _, dim := range rv.Dimensions {
			switch {
			case kinds != nil && !slices.Contains(def.Dataset.Dimensions(), dim):
				d.addf(key("dimensions"), "dimension %q is not in dataset %s (want one of %s)", dim, def.Dataset, strings.Join(def.Dataset.Dimensions(), ", "))
			case v.Kind == contract.Breakdown && !isBreakdownDim(dim):
				d.addf(key("dimensions"), "a breakdown view breaks down by device_type, region, smets_version, not %q", dim)
			}
		}
		v.Dimensions = rv.Dimensions
		for _, a := range rv.Roles {
			if !check(d, key("roles"), a) {
				continue
			}
			role := a.Value
			if len(def.Audience) > 0 && !slices.Contains(def.Audience, role) {
				d.addf(key("roles"), "role %s is not in the report's audience", role)
			}
			v.Roles = append(v.Roles, role)
		}
		for _, o := range rv.Only {
			if def.MatrixOver == "" {
				d.addf(key("only"), "only needs a matrix")
				break
			}
			switch {
			case !cat.Has(def.MatrixOver, o):
				d.addf(key("only"), "%s %q is not in the %s catalogue", def.MatrixOver, o, def.MatrixOver)
			case def.MatrixKeys != nil && !slices.Contains(def.MatrixKeys, o):
				d.addf(key("only"), "%s %q is not among matrix.values", def.MatrixOver, o)
			}
		}
		v.Only = rv.Only
		if rv.Window != "" {
			if v.Window, err = time.ParseDuration(rv.Window); err != nil || v.Window <= 0 {
				d.addf(key("window"), "window %q is not a positive duration like \"24h\"", rv.Window)
			}
		}
		if rv.WithinDays < 0 {
			d.addf(key("within_days"), "within_days must not be negative")
		}
		v.Chart = Chart{Kind: Table}
		if c := rv.Chart; c != nil {
			v.Chart = Chart{Kind: c.Kind.Value, X: c.X, Series: c.Series, Highlight: c.Highlight, Percent: c.Percent, Stack: c.Stack, GroupBy: c.GroupBy, SeriesFrom: c.SeriesFrom, Sample: c.Sample}
			if check(d, key("chart.kind"), c.Kind) && c.Kind.Value != Table && (c.X == "" || len(c.Series) == 0) {
				d.addf(key("chart"), "a %s chart needs x and series", c.Kind.Value)
			}
		}
		v.Empty = strings.TrimSpace(rv.Empty)
		for j, h := range rv.Headline {
			hk := func(k string) string { return key(fmt.Sprintf("headline.%d.%s", j, k)) }
			if strings.TrimSpace(h.Label) == "" {
				d.addf(hk("label"), "label is required")
			}
			if h.Column == "" {
				d.addf(hk("column"), "column is required")
			}
			if !slices.Contains(HeadlineFroms, h.From) {
				d.addf(hk("from"), "unknown headline source %q (want one of %s)", h.From, strings.Join(HeadlineFroms, ", "))
			}
			v.Headlines = append(v.Headlines, Headline{Label: strings.TrimSpace(h.Label), Column: h.Column, From: h.From})
		}
		for j, in := range rv.Insight {
			v.Insights = append(v.Insights, d.compileInsight(key(fmt.Sprintf("insight.%d.", j)), in, v.Kind, def.Dataset))
		}
		if kindOK {
			d.checkColumns(i, v, spec, cat)
		}
		def.Views = append(def.Views, v)
	}
	def.MainView = r.MainView
	if r.MainView != "" && !viewIDs[r.MainView] {
		d.addf("main_view", "main_view %q is not a view of this report", r.MainView)
	}
	if len(r.Changelog) == 0 {
		d.addf("changelog", "changelog needs an entry for version %q", r.Version)
	}
	var newest Semver
	seenVersions := map[Semver]bool{}
	for i, c := range r.Changelog {
		ver, err := ParseSemver(c.Version)
		if err != nil {
			d.addf(fmt.Sprintf("changelog.%d.version", i), "%v", err)
			continue
		}
		if seenVersions[ver] {
			d.addf(fmt.Sprintf("changelog.%d.version", i), "changelog has two entries for version %s", ver)
		}
		seenVersions[ver] = true
		if c.Date.IsZero() {
			d.addf(fmt.Sprintf("changelog.%d.date", i), "date is required (e.g. date = 2026-11-24)")
		}
		if strings.TrimSpace(c.Note) == "" {
			d.addf(fmt.Sprintf("changelog.%d.note", i), "note is required")
		}
		if newest.Less(ver) {
			newest = ver
		}
		def.Changelog = append(def.Changelog, Change{Version: ver, Date: c.Date.Format("2006-01-02"), Note: strings.TrimSpace(c.Note)})
	}
	// a version that does not parse is reported once, at version
	if versionOK && len(def.Changelog) > 0 && newest != def.Version {
		d.addf("version", "version %s has no changelog entry (newest entry is %s)", def.Version, newest)
	}
	return def
}

// compileInsight validates one [[views.insight]] of a view of kind kind;
// key is its dotted prefix ("views.0.insight.1.").
func (d *decoder) compileInsight(key string, r rawInsight, kind contract.ViewKind, ds contract.Dataset) Insight {
	in := Insight(r)
	kinds, ok := InsightRules[r.Rule]
	if !ok {
		rules := make([]string, 0, len(InsightRules))
		for k := range InsightRules {
			rules = append(rules, k)
		}
		slices.Sort(rules)
		d.addf(key+"rule", "unknown insight rule %q (want one of %s)", r.Rule, strings.Join(rules, ", "))
		return in
	}
	if !slices.Contains(kinds, kind) {
		d.addf(key+"rule", "insight rule %s reads views of kind %s, not %q", r.Rule, kindList(kinds, " or "), kind)
	}
	need := map[string]string{"column": r.Column, "count": r.Count}
	switch r.Rule {
	case "bottom_quartile":
		need = map[string]string{"column": r.Column}
	case "segment_failures":
		need = map[string]string{"count": r.Count, "failed": r.Failed}
		if len(r.By) == 0 {
			d.addf(key+"by", "by must list the dimensions to search, e.g. [\"device_model\", \"region\"]")
		}
		for _, b := range r.By {
			if !slices.Contains(ds.Dimensions(), b) {
				d.addf(key+"by", "dimension %q is not in dataset %s", b, ds)
			}
		}
	}
	for _, k := range []string{"column", "count", "failed"} {
		if v, ok := need[k]; ok && v == "" {
			d.addf(key+k, "insight rule %s needs %s", r.Rule, k)
		}
	}
	return in
}

func isBreakdownDim(dim string) bool {
	for _, b := range contract.BreakdownDims {
		if b.Name == dim {
			return true
		}
	}
	return false
}

// checkColumns checks every column view i names (its chart's, headlines'
// and call-out rules') against the header the contract gives its kind, and
// the columns the site reads by name behind them (scope, outcome, a rank),
// so that a definition that compiles never fails a build on a column.
func (d *decoder) checkColumns(i int, v View, spec contract.View, cat *Catalogue) {
	header := spec.Header(v.Dimensions)
	key := func(k string) string { return fmt.Sprintf("views.%d.%s", i, k) }
	in := func(k, what, col string) {
		if col != "" && !slices.Contains(header, col) {
			d.addf(key(k), "%s %q is not a column of %s (their columns: %s)", what, col, spec, strings.Join(header, ", "))
		}
	}
	needs := func(k, what, col string) {
		if !slices.Contains(header, col) {
			d.addf(key(k), "%s reads the column %q, which %s do not have", what, col, spec)
		}
	}
	c := v.Chart
	if spec.File != "" && c.Kind != Table {
		d.addf(key("chart.kind"), "%s are a file (%s): they have no chart", spec, spec.File)
	}
	in("chart.x", "chart.x", c.X)
	for _, s := range c.Series {
		in("chart.series", "chart.series", s)
	}
	in("chart.highlight", "chart.highlight", c.Highlight)
	in("chart.group_by", "chart.group_by", c.GroupBy)
	in("chart.series_from", "chart.series_from", c.SeriesFrom)
	in("chart.sample", "chart.sample", c.Sample)
	if c.SeriesFrom != "" && len(c.Series) != 1 {
		d.addf(key("chart.series_from"), "a chart that takes its series from %q names one series, not %d", c.SeriesFrom, len(c.Series))
	}
	for j, h := range v.Headlines {
		k := fmt.Sprintf("headline.%d.", j)
		if spec.File != "" {
			d.addf(key(k+"column"), "%s are a file (%s): they give no headline", spec, spec.File)
			continue
		}
		in(k+"column", "headline column", h.Column)
		if h.From == "scope" {
			needs(k+"from", "a headline from scope", "scope")
		}
	}
	for j, x := range v.Insights {
		if !slices.Contains(InsightRules[x.Rule], v.Kind) {
			continue // the rule's problem is the one to fix (compileInsight)
		}
		k := fmt.Sprintf("insight.%d.", j)
		in(k+"column", "insight column", x.Column)
		in(k+"count", "insight count", x.Count)
		for _, b := range x.By {
			if slices.Contains(spec.Dataset.Dimensions(), b) { // others are reported by compileInsight
				in(k+"by", "insight by", b)
			}
		}
		switch x.Rule {
		case "behind_industry":
			needs(k+"rule", "insight rule behind_industry", "scope")
		case "segment_failures":
			needs(k+"rule", "insight rule segment_failures", "outcome")
		case "bottom_quartile":
			if c.Highlight == "" {
				d.addf(key(k+"rule"), "insight rule bottom_quartile needs the chart's highlight (the column that marks the recipient's row)")
			}
			if !slices.ContainsFunc(header, func(h string) bool { f := cat.Column(h); return f != nil && f.Format == "rank" }) {
				d.addf(key(k+"rule"), "insight rule bottom_quartile needs a column of format rank in catalogue/columns.toml")
			}
		}
	}
}
