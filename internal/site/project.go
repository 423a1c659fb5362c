package site

// The Hugo project is generated afresh in the work dir for every site: the
// config from validated values only (Hugo accepts unknown keys silently, so
// nothing user-written reaches hugo.toml unchecked), the layouts and static
// files copied from the repository's templates/, the authored pages from
// content/, and one generated page per report instance whose front matter
// holds everything its layout shows.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// hugoConfig is the generated hugo.toml.
type hugoConfig struct {
	Title                      string     `toml:"title"`
	Locale                     string     `toml:"locale"`
	RelativeURLs               bool       `toml:"relativeURLs"`
	UglyURLs                   bool       `toml:"uglyURLs"`
	DisableKinds               []string   `toml:"disableKinds"`
	DisableHugoGeneratorInject bool       `toml:"disableHugoGeneratorInject"`
	EnableRobotsTXT            bool       `toml:"enableRobotsTXT"`
	PublishDir                 string     `toml:"publishDir"`
	CacheDir                   string     `toml:"cacheDir"`
	ResourceDir                string     `toml:"resourceDir"`
	Markup                     hugoMarkup `toml:"markup"`
	Params                     siteParams `toml:"params"`
}

type hugoMarkup struct {
	Goldmark struct {
		Renderer struct {
			Unsafe bool `toml:"unsafe"`
		} `toml:"renderer"`
	} `toml:"goldmark"`
}

// siteParams are shown on every page (header and footer).
type siteParams struct {
	PartyID   string `toml:"party_id"`
	PartyName string `toml:"party_name"`
	Period    string `toml:"period"`
	Generator string `toml:"generator"`
	Feedback  string `toml:"feedback"`
	MinPeers  int    `toml:"min_peers"`
	Roles     string `toml:"roles"`
	// SigningKey is the DCC's public minisign key (base64).
	SigningKey string `toml:"signing_key"`
}

// Front matter of the generated pages (JSON front matter: fast to parse
// and exact to encode).
type homeMatter struct {
	Title    string     `json:"title"`
	Roles    []homeRole `json:"roles"`
	Withheld bool       `json:"withheld"`
}

type homeRole struct {
	Role       string         `json:"role"`
	Name       string         `json:"name"`
	Categories []homeCategory `json:"categories"`
}

type homeCategory struct {
	Name    string       `json:"name"`
	Reports []homeReport `json:"reports"`
}

type homeReport struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Version  string `json:"version"`
	URL      string `json:"href"`
	Withheld bool   `json:"withheld"`
	Views    int    `json:"views"`
}

type reportMatter struct {
	Title       string       `json:"title"`
	URL         string       `json:"url"`
	Layout      string       `json:"layout"`
	Role        string       `json:"role"`
	RoleName    string       `json:"role_name"`
	ReportID    string       `json:"report_id"`
	DefID       string       `json:"def_id"`
	Version     string       `json:"version"`
	Category    string       `json:"category"`
	Description string       `json:"description_md"`
	Help        string       `json:"help_md"`
	Withheld    bool         `json:"withheld"`
	Views       []viewMatter `json:"views"`
}

type viewMatter struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Href     string   `json:"href"` // the CSV or the copied file
	FileName string   `json:"file_name"`
	IsFile   bool     `json:"is_file"`
	Script   string   `json:"script"`
	Withheld string   `json:"withheld"`
	Note     string   `json:"note_md"`
	Header   []string `json:"header"`
	Numeric  []bool   `json:"numeric"`
	RowCount int      `json:"row_count"`
	// TBody is the table body, rendered here rather than by a Hugo range:
	// Hugo's templates walk rows by reflection, which was the largest
	// cost of a build, and every row would be parsed again from front matter.
	TBody  string        `json:"tbody_html"`
	Charts []chartMatter `json:"charts"`
}

type chartMatter struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Label string `json:"label"`
}

type incidentsMatter struct {
	Title     string           `json:"title"`
	URL       string           `json:"url"`
	Layout    string           `json:"layout"`
	Incidents []incidentMatter `json:"incidents"`
}

type incidentMatter struct {
	ID       string `json:"id"`
	Category int    `json:"category"`
	Start    string `json:"start"`
	End      string `json:"end"`
	Regions  string `json:"regions"`
	Title    string `json:"title"`
	Dates    string `json:"dates"`
}

// writeProject lays out the Hugo project in dir, publishing to publish.
func writeProject(dir, publish string, in Input, o Options, p *plan) error {
	var roleNames []string
	for _, r := range in.Roles {
		n := r.Role
		if r.RoleName != "" {
			n = r.RoleName + " (" + r.Role + ")"
		}
		roleNames = append(roleNames, n)
	}
	cfg := hugoConfig{
		Title:                      "Customer Analytics Reporting",
		Locale:                     "en-GB",
		RelativeURLs:               true,
		UglyURLs:                   true,
		DisableKinds:               []string{"rss", "sitemap", "taxonomy", "term", "robotsTXT", "404", "section"},
		DisableHugoGeneratorInject: true,
		PublishDir:                 publish,
		CacheDir:                   filepath.Join(dir, ".cache"),
		ResourceDir:                filepath.Join(dir, ".resources"),
		Params: siteParams{
			PartyID:    in.PartyID,
			PartyName:  in.PartyName,
			Period:     in.Period,
			Generator:  in.GeneratorVersion,
			Feedback:   o.FeedbackEmail,
			MinPeers:   in.MinPeers,
			Roles:      strings.Join(roleNames, ", "),
			SigningKey: in.SigningKey,
		},
	}
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(cfg); err != nil {
		return fmt.Errorf("encoding hugo config: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "hugo.toml"), b.Bytes(), 0o600); err != nil {
		return fmt.Errorf("writing hugo config: %w", err)
	}

	if err := copyTree(filepath.Join(o.TemplatesDir, "layouts"), filepath.Join(dir, "layouts")); err != nil {
		return err
	}
	content := filepath.Join(dir, "content")
	if err := copyTree(o.ContentDir, content); err != nil {
		return err
	}
	for _, name := range []string{"_index.md", "incidents.md", "reports"} {
		if _, err := os.Stat(filepath.Join(content, name)); err == nil {
			return fmt.Errorf("content dir %s: %s is generated and must not be authored", o.ContentDir, name)
		}
	}

	if err := writeMatter(filepath.Join(content, "_index.md"), homePage(p)); err != nil {
		return err
	}
	if err := writeMatter(filepath.Join(content, "incidents.md"), incidentsPage(in.Incidents)); err != nil {
		return err
	}
	for _, r := range p.roles {
		for _, rep := range r.reports {
			f := filepath.Join(content, "reports", r.in.Role, rep.in.ID+".md")
			if err := writeMatter(f, reportPage(r.in, rep)); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeMatter writes a content file that is all front matter.
func writeMatter(file string, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encoding %s: %w", filepath.Base(file), err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
		return fmt.Errorf("writing page %s: %w", filepath.Base(file), err)
	}
	return nil
}

func homePage(p *plan) homeMatter {
	h := homeMatter{Title: "Reports"}
	for _, r := range p.roles {
		hr := homeRole{Role: r.in.Role, Name: r.in.RoleName, Categories: []homeCategory{}}
		at := map[string]int{}
		for _, rep := range r.reports {
			cat := rep.in.Category
			if cat == "" {
				cat = "Other"
			}
			i, ok := at[cat]
			if !ok {
				i = len(hr.Categories)
				at[cat] = i
				hr.Categories = append(hr.Categories, homeCategory{Name: cat})
			}
			title := rep.in.Title
			if title == "" {
				title = rep.in.ID
			}
			hr.Categories[i].Reports = append(hr.Categories[i].Reports, homeReport{
				ID: rep.in.ID, Title: title, Version: rep.in.Version, URL: rep.url,
				Withheld: rep.withheld, Views: len(rep.views),
			})
			h.Withheld = h.Withheld || rep.withheld
		}
		h.Roles = append(h.Roles, hr)
	}
	if h.Roles == nil {
		h.Roles = []homeRole{}
	}
	return h
}

func reportPage(r RoleInput, rep reportPlan) reportMatter {
	m := reportMatter{
		Title: rep.in.Title, URL: rep.url, Layout: "report", Role: r.Role, RoleName: r.RoleName,
		ReportID: rep.in.ID, DefID: rep.in.DefID, Version: rep.in.Version, Category: rep.in.Category,
		Description: rep.in.Description, Help: rep.in.Help, Withheld: rep.withheld, Views: []viewMatter{},
	}
	if m.Title == "" {
		m.Title = rep.in.ID
	}
	for _, v := range rep.views {
		vm := viewMatter{
			ID: v.in.ID, Title: v.in.Title, Href: v.csv, FileName: filepath.Base(v.csv),
			IsFile: v.in.File != "", Script: v.script, Withheld: v.in.Withheld, Note: v.in.Note,
			Header: v.in.Header, Numeric: v.numeric, RowCount: len(v.in.Rows), Charts: []chartMatter{},
		}
		if vm.Title == "" {
			vm.Title = v.in.ID
		}
		own := -1 // the column whose non-empty cell marks the recipient's row
		for c, h := range v.in.Header {
			if v.in.Chart.Highlight != "" && h == v.in.Chart.Highlight {
				own = c
			}
		}
		vm.TBody = tbodyHTML(v.in.Rows, v.numeric, own)
		for _, c := range v.charts {
			vm.Charts = append(vm.Charts, chartMatter{ID: c.div, Title: c.title, Label: c.label})
		}
		m.Views = append(m.Views, vm)
	}
	return m
}

func incidentsPage(incs []Incident) incidentsMatter {
	m := incidentsMatter{Title: "Incidents", URL: "/incidents.html", Layout: "incidents", Incidents: []incidentMatter{}}
	for _, i := range incs {
		m.Incidents = append(m.Incidents, incidentMatter{
			ID: i.ID, Category: i.Category, Start: i.Start, End: i.End, Regions: i.Regions,
			Title: i.Title, Dates: strings.Join(i.Dates, ", "),
		})
	}
	sort.SliceStable(m.Incidents, func(a, b int) bool { return m.Incidents[a].Start < m.Incidents[b].Start })
	return m
}

// copyTree copies the regular files under src to dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("reading %s: %w", p, err)
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("copying %s: not a regular file", p)
		}
		return copyFile(p, target)
	})
}

// tbodyHTML renders table rows: every cell escaped, numeric columns marked
// for alignment and sorting, and the recipient's own row (a non-empty cell
// in column own, when own >= 0) marked for emphasis.
func tbodyHTML(rows [][]string, numeric []bool, own int) string {
	var b strings.Builder
	for _, row := range rows {
		if own >= 0 && strings.TrimSpace(row[own]) != "" {
			b.WriteString(`<tr class="own">`)
		} else {
			b.WriteString("<tr>")
		}
		for j, c := range row {
			if j < len(numeric) && numeric[j] {
				b.WriteString(`<td class="num">`)
			} else {
				b.WriteString("<td>")
			}
			b.WriteString(html.EscapeString(c))
			b.WriteString("</td>")
		}
		b.WriteString("</tr>\n")
	}
	return b.String()
}
