package reportdef

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dcc/carport/internal/extract"
)

// Instance is a definition expanded for one matrix key: the unit a party's
// site shows and the folder data/<role>/<ID>/ holds.
type Instance struct {
	Def   *Definition
	ID    string // "srv-4.1.1", "alert-AD1", or the definition id without a matrix
	Key   string // the matrix key ("4.1.1"); empty without a matrix
	Name  string // the catalogue name of Key
	Title string
	// Roles receiving the instance: the definition's audience, narrowed for
	// alerts to the roles the catalogue names for the code (distributors get
	// only the seed's subset) and for SRVs to the roles eligible to send it.
	Roles []extract.Role
}

// HasRole reports whether the instance goes to role r.
func (in *Instance) HasRole(r extract.Role) bool { return slices.Contains(in.Roles, r) }

// ViewsFor returns the views of the instance that apply to role r.
func (in *Instance) ViewsFor(r extract.Role) []View {
	var out []View
	for _, v := range in.Def.Views {
		if len(v.Roles) > 0 && !slices.Contains(v.Roles, r) {
			continue
		}
		if len(v.Only) > 0 && !slices.Contains(v.Only, in.Key) {
			continue
		}
		out = append(out, v)
	}
	return out
}

// Select says which statuses reach the instance list.
type Select struct {
	Drafts   bool // include drafts (previews)
	Archived bool // include archived (listings only; never a site)
}

func (s Select) admits(status string) bool {
	switch status {
	case "published":
		return true
	case "draft":
		return s.Drafts
	case "archived":
		return s.Archived
	}
	return false
}

// Instances expands every selected definition over its matrix, in
// definition order then catalogue order.
func (s *Suite) Instances(sel Select) []Instance {
	var out []Instance
	for _, def := range s.Defs {
		if sel.admits(def.Status) {
			out = append(out, s.expand(def)...)
		}
	}
	return out
}

func (s *Suite) expand(def *Definition) []Instance {
	type item struct {
		key, name string
		roles     []extract.Role
	}
	var items []item
	switch def.MatrixOver {
	case "":
		items = []item{{roles: def.Audience}}
	case "srv":
		for _, x := range s.Catalogue.SRVs {
			items = append(items, item{x.ID, x.Name, x.Roles})
		}
	case "alert":
		for _, x := range s.Catalogue.Alerts {
			items = append(items, item{x.Code, x.Name, x.Roles})
		}
	}
	var out []Instance
	for _, it := range items {
		if def.MatrixKeys != nil && !slices.Contains(def.MatrixKeys, it.key) {
			continue
		}
		var roles []extract.Role
		for _, r := range def.Audience {
			if slices.Contains(it.roles, r) {
				roles = append(roles, r)
			}
		}
		if len(roles) == 0 {
			continue
		}
		in := Instance{Def: def, ID: def.ID, Key: it.key, Name: it.name, Roles: roles}
		if it.key != "" {
			in.ID = def.ID + "-" + it.key
		}
		in.Title = strings.NewReplacer("{key}", it.key, "{name}", it.name).Replace(def.Title)
		out = append(out, in)
	}
	return out
}

// checkInstanceIDs reports instance ids that two definitions produce,
// once per pair of definitions. Ids are compared ignoring case: each is a
// folder name, and "alert-N12" and "alert-n12" are one folder on the file
// systems of Windows and macOS. Definitions sharing a report id are
// reported as such by the loader and skipped here.
func (s *Suite) checkInstanceIDs() Problems {
	var ps Problems
	seen := map[string]*Definition{}
	reported := map[[2]*Definition]bool{}
	ids := map[string]int{}
	for _, def := range s.Defs {
		ids[def.ID]++
	}
	for _, def := range s.Defs {
		if ids[def.ID] > 1 {
			continue
		}
		for _, in := range s.expand(def) {
			fold := strings.ToLower(in.ID)
			prev, ok := seen[fold]
			if !ok {
				seen[fold] = def
				continue
			}
			if prev == def || reported[[2]*Definition{prev, def}] {
				continue
			}
			reported[[2]*Definition{prev, def}] = true
			ps = append(ps, Problem{File: def.File, Line: def.Line("id"), Key: "id",
				Msg: fmt.Sprintf("report instance %q is also produced by %s (instance ids must differ, ignoring case)", in.ID, prev.File)})
		}
	}
	return ps
}
