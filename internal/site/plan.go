package site

// The plan is the validated, compiled form of an Input: every id checked to be
// a safe path component, every output path decided, every chart built, every
// table's data encoded, the home page's figures and call-outs worked out.
// Later stages (Hugo content, data files) read only the plan.

import (
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// safeID is what a role, report or view id may look like: it becomes a
// folder or file name in the site and in the bundle.
var safeID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// pageScript is the name of a report's data script in its data folder.
const pageScript = "page.js"

type plan struct {
	roles []rolePlan
	home  homePlan
	docs  []docPlan
	// minEvents is the small-sample threshold tables mark; 0: none
	minEvents int
}

type rolePlan struct {
	in      RoleInput
	reports []reportPlan
}

type reportPlan struct {
	in   Report
	role string
	url  string // site path of the page, "/IS/srv-4.1.1.html"
	// script is the site path of the page's one data script (every
	// chart's options and every table's rows: one file to write and to
	// load, not one per view); "" when no view draws anything.
	script   string
	views    []viewPlan
	withheld bool // some view's peer or industry figures are withheld
	// mainWithheld says why the main figure is withheld; "" when it is not.
	mainWithheld string
}

type viewPlan struct {
	in      View
	dir     string // site folder, "data/IS/srv-4.1.1"
	csv     string // site path of the CSV (or copied File)
	charts  []chartPlan
	numeric []bool    // per CSV column: every non-empty cell is a number
	cols    []colPlan // the table's columns: the CSV's, then the extra ones
	own     int       // column whose non-empty cell marks the recipient's row; -1: none
	sample  int       // column counting the events behind a row; -1: none
	data    []byte    // the CSV file's bytes
	table   []byte    // the table's rows as CSV, header first; nil: no table
}

// colPlan is one column of a view's table.
type colPlan struct {
	Name    string `json:"name"`
	Label   string `json:"label"`
	Format  string `json:"format"`
	Numeric bool   `json:"numeric"`
	Extra   bool   `json:"extra,omitempty"` // shown, not in the CSV
}

type chartPlan struct {
	div   string // element id on the page
	title string // sub-chart title (GroupBy value), may be empty
	label string // text summary for screen readers
	js    []byte // carport.view(...) call
}

// compile validates in and decides every output path.
func compile(in Input) (*plan, error) {
	if in.PartyID == "" {
		return nil, fmt.Errorf("input: party id is empty")
	}
	if in.MinPeers < 1 {
		return nil, fmt.Errorf("input: minimum peers k = %d, want at least 1", in.MinPeers)
	}
	env, err := newChartEnv(&in)
	if err != nil {
		return nil, err
	}
	p := &plan{minEvents: smallOf(&in)}
	seenRole := map[string]bool{}
	for _, r := range in.Roles {
		if !safeID.MatchString(r.Role) {
			return nil, fmt.Errorf("input: role %q is not a safe id (letters, digits, . _ -)", r.Role)
		}
		if seenRole[r.Role] {
			return nil, fmt.Errorf("input: role %s listed twice", r.Role)
		}
		seenRole[r.Role] = true
		rp := rolePlan{in: r}
		seenRep := map[string]bool{}
		for _, rep := range r.Reports {
			where := "role " + r.Role + " report " + rep.ID
			if !safeID.MatchString(rep.ID) {
				return nil, fmt.Errorf("input: role %s: report id %q is not a safe id (letters, digits, . _ -)", r.Role, rep.ID)
			}
			if seenRep[rep.ID] {
				return nil, fmt.Errorf("input: %s listed twice", where)
			}
			seenRep[rep.ID] = true
			pp := reportPlan{in: rep, role: r.Role, url: "/" + r.Role + "/" + rep.ID + ".html"}
			seenView := map[string]bool{}
			mainFound := false
			for i, v := range rep.Views {
				vp, err := compileView(env, r.Role, rep.ID, i, v)
				if err != nil {
					return nil, fmt.Errorf("input: %s: %w", where, err)
				}
				base := path.Base(vp.csv)
				if seenView[base] {
					return nil, fmt.Errorf("input: %s: view file %s listed twice", where, base)
				}
				seenView[base] = true
				if v.Withheld != "" {
					pp.withheld = true
				}
				if (rep.MainView == "" && i == 0) || v.ID == rep.MainView {
					mainFound = true
					pp.mainWithheld = v.Withheld
				}
				if vp.table != nil || len(vp.charts) > 0 {
					pp.script = "/data/" + r.Role + "/" + rep.ID + "/" + pageScript
				}
				pp.views = append(pp.views, vp)
			}
			// a main view missing for this role (a view limited to other
			// roles) leaves the first view as the main one
			if !mainFound && len(rep.Views) > 0 {
				pp.mainWithheld = rep.Views[0].Withheld
			}
			rp.reports = append(rp.reports, pp)
		}
		p.roles = append(p.roles, rp)
	}
	if p.home, err = homeOf(&in, p); err != nil {
		return nil, err
	}
	return p, nil
}

func compileView(env *chartEnv, role, report string, idx int, v View) (viewPlan, error) {
	if !safeID.MatchString(v.ID) {
		return viewPlan{}, fmt.Errorf("view id %q is not a safe id (letters, digits, . _ -)", v.ID)
	}
	vp := viewPlan{in: v, dir: "data/" + role + "/" + report, own: -1, sample: -1}
	if v.File != "" {
		base := filepath.Base(v.File)
		if !safeID.MatchString(base) {
			return viewPlan{}, fmt.Errorf("view %s: file name %q is not safe", v.ID, base)
		}
		vp.csv = "/" + vp.dir + "/" + base
		return vp, nil
	}
	vp.csv = "/" + vp.dir + "/" + v.ID + ".csv"
	if len(v.Header) == 0 {
		return viewPlan{}, fmt.Errorf("view %s: no header and no file", v.ID)
	}
	for i, row := range v.Rows {
		if len(row) != len(v.Header) {
			return viewPlan{}, fmt.Errorf("view %s: row %d has %d cells, header has %d", v.ID, i+1, len(row), len(v.Header))
		}
	}
	for _, x := range v.Extra {
		if len(x.Cells) != len(v.Rows) {
			return viewPlan{}, fmt.Errorf("view %s: extra column %s has %d cells, the view %d rows", v.ID, x.Name, len(x.Cells), len(v.Rows))
		}
	}
	vp.numeric = numericColumns(v.Header, v.Rows)
	for i, h := range v.Header {
		c := env.in.column(h)
		if _, known := env.in.Columns[h]; known {
			// the catalogue decides: an MPxN is all digits and still text
			vp.numeric[i] = vp.numeric[i] && numericFormat(c.Format)
		}
		vp.cols = append(vp.cols, colPlan{Name: h, Label: c.Label, Format: c.Format, Numeric: vp.numeric[i]})
		if v.Chart.Highlight != "" && h == v.Chart.Highlight {
			vp.own = i
		}
		if v.Chart.Sample != "" && h == v.Chart.Sample {
			vp.sample = i
		}
	}
	for _, x := range v.Extra {
		c := env.in.column(x.Name)
		vp.cols = append(vp.cols, colPlan{Name: x.Name, Label: c.Label, Format: c.Format, Extra: true})
	}
	var err error
	if vp.data, err = encodeCSV(v.Header, v.Rows); err != nil {
		return viewPlan{}, fmt.Errorf("view %s: %w", v.ID, err)
	}
	if len(v.Rows) == 0 {
		return vp, nil // the page says why in a sentence: no table, no chart
	}
	vp.table = vp.data
	if len(v.Extra) > 0 {
		header := append([]string{}, v.Header...)
		rows := make([][]string, len(v.Rows))
		for _, x := range v.Extra {
			header = append(header, x.Name)
		}
		for r, row := range v.Rows {
			rows[r] = append(append(make([]string, 0, len(header)), row...), extraCells(v.Extra, r)...)
		}
		if vp.table, err = encodeCSV(header, rows); err != nil {
			return viewPlan{}, fmt.Errorf("view %s: %w", v.ID, err)
		}
	}
	switch v.Chart.Kind {
	case "table", "":
		return vp, nil
	case "bar", "line":
	default:
		return viewPlan{}, fmt.Errorf("view %s: chart kind %q, want bar, line or table", v.ID, v.Chart.Kind)
	}
	charts, err := buildCharts(env, fmt.Sprintf("c%d-%s", idx, v.ID), v)
	if err != nil {
		return viewPlan{}, fmt.Errorf("view %s: %w", v.ID, err)
	}
	vp.charts = charts
	return vp, nil
}

func extraCells(extra []ExtraColumn, r int) []string {
	out := make([]string, len(extra))
	for i, x := range extra {
		out[i] = x.Cells[r]
	}
	return out
}

// numericColumns reports, per column, whether every non-empty cell parses as
// a number (and at least one does); the table sorts those numerically and a
// download leaves their numbers as they are.
func numericColumns(header []string, rows [][]string) []bool {
	out := make([]bool, len(header))
	for c := range header {
		seen := false
		num := true
		for _, r := range rows {
			s := strings.TrimSpace(r[c])
			if s == "" {
				continue
			}
			seen = true
			if _, err := strconv.ParseFloat(s, 64); err != nil {
				num = false
				break
			}
		}
		out[c] = seen && num
	}
	return out
}
