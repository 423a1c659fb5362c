package site

// The plan is the validated, compiled form of an Input: every id checked to be
// a safe path component, every output path decided, every chart built. Later
// stages (Hugo content, data files) read only the plan.

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

type plan struct {
	roles []rolePlan
}

type rolePlan struct {
	in      RoleInput
	reports []reportPlan
}

type reportPlan struct {
	in       Report
	role     string
	url      string // site path of the page, "/IS/srv-4.1.1.html"
	views    []viewPlan
	withheld bool
}

type viewPlan struct {
	in      View
	dir     string // site folder, "data/IS/srv-4.1.1"
	csv     string // site path of the CSV (or copied File)
	script  string // site path of the chart script, "" when no chart
	charts  []chartPlan
	numeric []bool // per column: every non-empty cell is a number
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
	p := &plan{}
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
			for i, v := range rep.Views {
				vp, err := compileView(r.Role, rep.ID, i, v)
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
				pp.views = append(pp.views, vp)
			}
			rp.reports = append(rp.reports, pp)
		}
		p.roles = append(p.roles, rp)
	}
	return p, nil
}

func compileView(role, report string, idx int, v View) (viewPlan, error) {
	if !safeID.MatchString(v.ID) {
		return viewPlan{}, fmt.Errorf("view id %q is not a safe id (letters, digits, . _ -)", v.ID)
	}
	vp := viewPlan{in: v, dir: "data/" + role + "/" + report}
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
	vp.numeric = numericColumns(v.Header, v.Rows)
	switch v.Chart.Kind {
	case "table", "":
		return vp, nil
	case "bar", "line":
	default:
		return viewPlan{}, fmt.Errorf("view %s: chart kind %q, want bar, line or table", v.ID, v.Chart.Kind)
	}
	charts, err := buildCharts(fmt.Sprintf("c%d-%s", idx, v.ID), v)
	if err != nil {
		return viewPlan{}, fmt.Errorf("view %s: %w", v.ID, err)
	}
	vp.charts = charts
	vp.script = "/" + vp.dir + "/" + v.ID + ".js"
	return vp, nil
}

// numericColumns reports, per column, whether every non-empty cell parses as
// a number (and at least one does); the table sorts those numerically.
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
