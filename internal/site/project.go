package site

// The Hugo project is generated afresh in the work dir for every site: the
// config from validated values only (Hugo accepts unknown keys silently, so
// nothing user-written reaches hugo.toml unchecked), the layouts copied from
// the repository's templates/, the authored pages from content/ (its
// documents/ folder goes to the site as files, never through Hugo), and one
// generated page per report instance whose front matter holds what its
// layout shows. Table rows are not in front matter: they travel in the
// view's script, read by the browser (pages stay small, Hugo parses less).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

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

// siteParams are shown on every page (header and footer) and quoted by
// the authored pages' shortcodes.
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
	// Policy holds the policy's figures the methodology page quotes
	// ({{< policy "behind_industry_points" >}}), formatted.
	Policy map[string]string `toml:"policy"`
}

// Front matter of the generated pages (JSON front matter: fast to parse
// and exact to encode).
type homeMatter struct {
	Title    string     `json:"title"`
	Roles    []homeRole `json:"roles"`
	Insights []insight  `json:"insights"`
	RulesOn  bool       `json:"rules_on"`
	Withheld bool       `json:"withheld"`
}

type homeRole struct {
	Role       string         `json:"role"`
	Name       string         `json:"name"`
	Headlines  []headlineFig  `json:"headlines"`
	Categories []homeCategory `json:"categories"`
}

type homeCategory struct {
	Name    string       `json:"name"`
	Reports []homeReport `json:"reports"`
}

type homeReport struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Version string `json:"version"`
	URL     string `json:"href"`
	Desc    string `json:"desc"`
	// Withheld says why the main figure is withheld; "" when it is not.
	Withheld string `json:"withheld"`
	Search   string `json:"search"`
}

type reportMatter struct {
	Title       string         `json:"title"`
	URL         string         `json:"url"`
	Layout      string         `json:"layout"`
	Role        string         `json:"role"`
	RoleName    string         `json:"role_name"`
	ReportID    string         `json:"report_id"`
	DefID       string         `json:"def_id"`
	Version     string         `json:"version"`
	Category    string         `json:"category"`
	Description string         `json:"description_md"`
	Help        string         `json:"help_md"`
	Withheld    bool           `json:"withheld"`
	Views       []viewMatter   `json:"views"`
	Changelog   []Change       `json:"changelog"`
	Feedback    []feedbackLink `json:"feedback"`
	Script      string         `json:"script"`
}

type feedbackLink struct {
	Label string `json:"label"`
	Href  string `json:"href"`
}

type viewMatter struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Href     string `json:"href"` // the CSV or the copied file
	FileName string `json:"file_name"`
	FileSize string `json:"file_size"` // "52.1 kB", for files only
	IsFile   bool   `json:"is_file"`
	Withheld string `json:"withheld"`
	Note     string `json:"note_md"`
	Empty    string `json:"empty"` // the sentence of a view without rows
	// ChartsHTML and TableHTML are the view's figures and table, written
	// in Go (see fragments.go).
	ChartsHTML string `json:"charts_html"`
	TableHTML  string `json:"table_html"`
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

type documentsMatter struct {
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Layout    string    `json:"layout"`
	Documents []docPlan `json:"documents"`
}

// generatedPages are the content files the site writes itself.
var generatedPages = []string{"_index.md", "incidents.md", "documents.md", "reports"}

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
			Policy:     policyParams(&in),
		},
	}
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(cfg); err != nil {
		return fmt.Errorf("encoding hugo config: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "hugo.toml"), b.Bytes(), 0o600); err != nil {
		return fmt.Errorf("writing hugo config: %w", err)
	}

	if err := copyTree(o.Templates, "layouts", filepath.Join(dir, "layouts"), nil); err != nil {
		return err
	}
	content := filepath.Join(dir, "content")
	for _, name := range generatedPages {
		if _, err := fs.Stat(o.Content, name); err == nil {
			return fmt.Errorf("%s: %s is generated and must not be authored", o.ContentName, name)
		}
	}
	skip := map[string]bool{documentsDir: true}
	if err := copyTree(o.Content, ".", content, skip); err != nil {
		return err
	}
	// the glossary's codes are Hugo data, read by the codes shortcode
	if err := writeJSON(filepath.Join(dir, "data", "glossary.json"), glossaryData(in.Glossary)); err != nil {
		return err
	}

	if err := writeMatter(filepath.Join(content, "_index.md"), homePage(p)); err != nil {
		return err
	}
	if err := writeMatter(filepath.Join(content, "incidents.md"), incidentsPage(in.Incidents)); err != nil {
		return err
	}
	docs := documentsMatter{Title: "Documents", URL: "/documents.html", Layout: "documents", Documents: p.docs}
	if docs.Documents == nil {
		docs.Documents = []docPlan{}
	}
	if err := writeMatter(filepath.Join(content, "documents.md"), docs); err != nil {
		return err
	}
	for _, r := range p.roles {
		for _, rep := range r.reports {
			f := filepath.Join(content, "reports", r.in.Role, rep.in.ID+".md")
			if err := writeMatter(f, reportPage(&in, o, r.in, rep)); err != nil {
				return err
			}
		}
	}
	return nil
}

// policyParams are the policy's figures the authored pages may quote.
func policyParams(in *Input) map[string]string {
	m := map[string]string{"min_peers": fmt.Sprint(in.MinPeers)}
	for k, v := range in.Thresholds {
		m[k] = v
	}
	for _, k := range []string{"max_shown", "small_sample_events", "bottom_quartile", "behind_industry_points",
		"behind_industry_ratio", "segment_failure_ratio", "level_points", "level_ratio"} {
		m[k] = "(not set)"
	}
	if p := in.Insights; p != nil {
		m["max_shown"] = fmt.Sprint(p.MaxShown)
		m["small_sample_events"] = fmt.Sprint(p.SmallSampleEvents)
		m["bottom_quartile"] = fmt.Sprint(p.BottomQuartile*100) + "%"
		m["behind_industry_points"] = fmt.Sprint(p.BehindIndustryPoints)
		m["behind_industry_ratio"] = fmt.Sprint(p.BehindIndustryRatio)
		m["segment_failure_ratio"] = fmt.Sprint(p.SegmentFailureRatio)
		m["level_points"] = fmt.Sprint(p.LevelPoints)
		m["level_ratio"] = fmt.Sprint(p.LevelRatio*100) + "%"
	}
	return m
}

// writeMatter writes a content file that is all front matter, as compact
// JSON: indenting it cost a fifth of writing the project, and only Hugo
// reads it.
func writeMatter(file string, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
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

func writeJSON(file string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", filepath.Base(file), err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	return os.WriteFile(file, b, 0o600)
}

type glossaryGroup struct {
	Name  string `json:"name"`
	Terms []Term `json:"terms"`
}

// glossaryData groups the terms in their first-seen group order.
func glossaryData(terms []Term) map[string][]glossaryGroup {
	var groups []glossaryGroup
	at := map[string]int{}
	for _, t := range terms {
		i, ok := at[t.Group]
		if !ok {
			i = len(groups)
			at[t.Group] = i
			groups = append(groups, glossaryGroup{Name: t.Group})
		}
		groups[i].Terms = append(groups[i].Terms, t)
	}
	if groups == nil {
		groups = []glossaryGroup{}
	}
	for _, g := range groups {
		// E2 before E11, 8F0C before 8F35
		sort.SliceStable(g.Terms, func(a, b int) bool { return versionLess(g.Terms[a].Code, g.Terms[b].Code) })
	}
	return map[string][]glossaryGroup{"groups": groups}
}

func homePage(p *plan) homeMatter {
	h := homeMatter{Title: "Reports", Insights: p.home.insights, RulesOn: p.home.rulesOn}
	if h.Insights == nil {
		h.Insights = []insight{}
	}
	for ri, r := range p.roles {
		hr := homeRole{Role: r.in.Role, Name: r.in.RoleName, Categories: []homeCategory{}, Headlines: p.home.roles[ri].headlines}
		if hr.Headlines == nil {
			hr.Headlines = []headlineFig{}
		}
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
			desc := rep.in.Summary
			if desc == "" {
				desc = oneLine(rep.in.Description)
			}
			// the finder matches words of the title, id, category, role,
			// description and every view's title ("firmware" finds the
			// inventory by its "Firmware mix" view)
			words := []string{title, rep.in.ID, cat, r.in.Role, r.in.RoleName, desc}
			for _, v := range rep.views {
				words = append(words, v.in.Title)
			}
			hr.Categories[i].Reports = append(hr.Categories[i].Reports, homeReport{
				ID: rep.in.ID, Title: title, Version: rep.in.Version, URL: rep.url, Desc: desc,
				Withheld: rep.mainWithheld, Search: strings.ToLower(strings.Join(words, " ")),
			})
			h.Withheld = h.Withheld || rep.mainWithheld != ""
		}
		h.Roles = append(h.Roles, hr)
	}
	if h.Roles == nil {
		h.Roles = []homeRole{}
	}
	return h
}

// oneLine is the first sentence of a Markdown description, as plain text.
func oneLine(md string) string {
	s := strings.Join(strings.Fields(md), " ")
	s = strings.NewReplacer("**", "", "*", "", "`", "", "_", " ").Replace(s)
	if i := strings.Index(s, ". "); i > 0 {
		s = s[:i+1]
	}
	return s
}

func reportPage(in *Input, o Options, r RoleInput, rep reportPlan) reportMatter {
	m := reportMatter{
		Title: rep.in.Title, URL: rep.url, Layout: "report", Role: r.Role, RoleName: r.RoleName,
		ReportID: rep.in.ID, DefID: rep.in.DefID, Version: rep.in.Version, Category: rep.in.Category,
		Description: rep.in.Description, Help: rep.in.Help, Withheld: rep.withheld, Views: []viewMatter{},
		Changelog: rep.in.Changelog, Feedback: feedbackLinks(in, o.FeedbackEmail, rep), Script: rep.script,
	}
	if m.Title == "" {
		m.Title = rep.in.ID
	}
	// newest first on the page
	m.Changelog = append([]Change{}, rep.in.Changelog...)
	slices.Reverse(m.Changelog)
	for _, v := range rep.views {
		vm := viewMatter{
			ID: v.in.ID, Title: v.in.Title, Href: v.csv, FileName: filepath.Base(v.csv),
			IsFile: v.in.File != "", Withheld: v.in.Withheld, Note: v.in.Note,
		}
		if vm.Title == "" {
			vm.Title = v.in.ID
		}
		if v.in.File != "" {
			if fi, err := os.Stat(v.in.File); err == nil {
				vm.FileSize = byteSize(fi.Size())
			}
		} else if len(v.in.Rows) == 0 {
			vm.Empty = v.in.Empty
			if vm.Empty == "" {
				vm.Empty = "No rows this month."
			}
		}
		if v.table != nil {
			vm.ChartsHTML = chartsHTML(&v)
			vm.TableHTML = tableHTML(&v, vm.Href, vm.FileName)
		}
		m.Views = append(m.Views, vm)
	}
	return m
}

// feedbackLinks are the report's three mailto links (DCC-29, -30, -31):
// subject and body name the party, period, report, version and view. The
// view is "whole report" here; the site JS writes the same links under
// every view with that view's name in its place.
func feedbackLinks(in *Input, to string, rep reportPlan) []feedbackLink {
	if to == "" {
		return []feedbackLink{}
	}
	title := rep.in.Title
	if title == "" {
		title = rep.in.ID
	}
	var out []feedbackLink
	for _, k := range []struct{ label, ask string }{
		{"Request a change", "What would you like to see, and why?"},
		{"Report a problem", "What looks wrong (which figure, table or chart), and what did you expect?"},
		{"Ask for help", "What would you like to know?"},
	} {
		subject := fmt.Sprintf("%s: %s v%s, %s %s, whole report", k.label, rep.in.ID, rep.in.Version, in.PartyID, in.Period)
		body := fmt.Sprintf("Party: %s (%s)\nPeriod: %s\nReport: %s (%s)\nVersion: %s\nView: whole report\n\n%s\n\n",
			in.PartyName, in.PartyID, in.Period, rep.in.ID, title, rep.in.Version, k.ask)
		out = append(out, feedbackLink{Label: k.label, Href: "mailto:" + to + "?subject=" + mailEscape(subject) + "&body=" + mailEscape(body)})
	}
	return out
}

// mailEscape percent-encodes s for a mailto: header value, spaces as %20
// (a + would reach the mail as a plus sign).
func mailEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// byteSize is a file size for people: "812 bytes", "52.1 kB", "3.4 MB".
func byteSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d bytes", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1000)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
}

func incidentsPage(incs []Incident) incidentsMatter {
	m := incidentsMatter{Title: "Incidents", URL: "/incidents.html", Layout: "incidents", Incidents: []incidentMatter{}}
	incs = slices.Clone(incs)
	sort.SliceStable(incs, func(a, b int) bool { return instant(incs[a].Start).Before(instant(incs[b].Start)) })
	for _, i := range incs {
		m.Incidents = append(m.Incidents, incidentMatter{
			ID: i.ID, Category: i.Category, Start: ukTime(i.Start), End: ukTime(i.End), Regions: i.Regions,
			Title: i.Title, Dates: strings.Join(i.Dates, ", "),
		})
	}
	return m
}

func instant(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

// ukTime shows an RFC 3339 instant given in UK time (its offset +01:00 or
// +00:00, as the engine writes incidents) as "2026-10-07 08:00 BST".
func ukTime(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	_, off := t.Zone()
	zone := "GMT"
	switch off {
	case 3600:
		zone = "BST"
	case 0:
	default:
		return t.Format("2006-01-02 15:04 -07:00")
	}
	return t.Format("2006-01-02 15:04 ") + zone
}

// copyTree copies the regular files under root of fsys to dst, leaving
// out the entries directly under root named in skip.
func copyTree(fsys fs.FS, root, dst string, skip map[string]bool) error {
	return fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("reading %s: %w", p, err)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, root), "/")
		if root == "." {
			rel = p
		}
		if skip[rel] {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, filepath.FromSlash(rel))
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("copying %s: not a regular file", p)
		}
		return copyFile(fsys, p, target)
	})
}
