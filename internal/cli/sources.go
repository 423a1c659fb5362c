package cli

// The data carport reads besides the extracts: report definitions,
// templates, content and the ECharts script. Each comes from its flag's
// folder, else the folder of that name in the current directory, else the
// copy built into carport (package carport, embed.go).

import (
	"fmt"
	"io/fs"

	"github.com/dcc/carport"

	"github.com/dcc/carport/internal/gitrev"
	"github.com/dcc/carport/internal/reportdef"
	"github.com/dcc/carport/internal/site"
)

// loadSuite loads the report definitions of --reportdefs dir.
func loadSuite(cmd, dir string) (*reportdef.Suite, carport.Source, error) {
	src, err := carport.Open(carport.Reportdefs, dir)
	if err != nil {
		return nil, src, usagef("give --reportdefs a folder of report definitions", "%s: --reportdefs: %v", cmd, err)
	}
	s, err := reportdef.LoadFS(src.FS, src.Name)
	return s, src, err
}

// suiteAt loads the report definitions of src as they were at the git
// revision ref. Their files are named "DIR@REF/…" in messages.
func suiteAt(cmd string, src carport.Source, ref string) (*reportdef.Suite, error) {
	if src.BuiltIn {
		return nil, usagef("run carport in a git clone of the report definitions, or give --reportdefs DIR",
			"%s: --base compares a folder of definitions with a git revision, and there is no %s folder here", cmd, carport.Reportdefs)
	}
	fsys, err := gitrev.FS(src.Name, ref)
	if ge, ok := err.(*gitrev.Error); ok {
		hint := "give --base a commit, branch or tag of the repository holding " + src.Name + ", e.g. --base main"
		switch ge.Kind {
		case gitrev.BadRevision:
			return nil, usagef(hint, "%s: --base %q is not a git revision", cmd, ref)
		case gitrev.NotARepository:
			return nil, &badInput{fmt.Errorf("%s: --base: %w", cmd, err), "run carport inside a git clone of the report definitions"}
		case gitrev.NoSuchRevision:
			return nil, &badInput{fmt.Errorf("%s: --base %w", cmd, err), hint}
		default:
			return nil, &badInput{fmt.Errorf("%s: --base: %w", cmd, err), "a suite added after the base revision has nothing to compare with; drop --base"}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: --base: %w", cmd, err)
	}
	return reportdef.LoadFS(fsys, src.Name+"@"+ref)
}

// siteSources are the templates, content and ECharts script every party's
// site is rendered from.
type siteSources struct {
	templates, content carport.Source
	echarts            fs.FS
	echartsFile        string
}

// openSiteSources resolves --templates, --content and --echarts.
func openSiteSources(cmd, templates, content, echarts string) (siteSources, error) {
	var s siteSources
	var err error
	if s.templates, err = carport.Open(carport.Templates, templates); err != nil {
		return s, usagef("give --templates a folder holding layouts/ and static/", "%s: --templates: %v", cmd, err)
	}
	if s.content, err = carport.Open(carport.Content, content); err != nil {
		return s, usagef("give --content a folder of authored pages", "%s: --content: %v", cmd, err)
	}
	if s.echarts, s.echartsFile, err = carport.ECharts(echarts); err != nil {
		return s, usagef("give --echarts the echarts.min.js file, or leave it out for the copy built into carport", "%s: --echarts: %v", cmd, err)
	}
	return s, nil
}

// options are the site options of these sources.
func (s siteSources) options() site.Options {
	return site.Options{Templates: s.templates.FS, Content: s.content.FS, ContentName: s.content.Name,
		ECharts: s.echarts, EChartsFile: s.echartsFile}
}
