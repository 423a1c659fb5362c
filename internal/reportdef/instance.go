package reportdef

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dcc/carport/internal/contract"
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
	// only the seed's subset). SRVs are not narrowed: a party gets a report
	// on every SRV it sent in a role (outputs.md), even one its role is not
	// eligible to send (the refusal is news too).
	Roles []contract.Role
	// Uncatalogued says the key is a code the extracts carry and the
	// catalogue lacks (see Gaps).
	Uncatalogued bool
}

// Gaps are the SRVs and alert codes the extracts carry but the catalogue
// lacks. They are not dropped (outputs.md, "Catalogue gaps"): each gets a
// report instance of every matrix definition over its kind, titled by its
// code, and counts in every total.
type Gaps struct {
	SRVs   []string // sorted
	Alerts []string // sorted
}

// HasRole reports whether the instance goes to role r.
func (in *Instance) HasRole(r contract.Role) bool { return slices.Contains(in.Roles, r) }

// ViewsFor returns the views of the instance that apply to role r.
func (in *Instance) ViewsFor(r contract.Role) []View {
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
func (s *Suite) Instances(sel Select) []Instance { return s.InstancesWith(sel, Gaps{}) }

// InstancesWith is Instances with the catalogue gaps of a run: after a
// matrix definition's catalogue instances come those of the gaps of its
// kind, in code order. Only a definition whose matrix takes every key
// (values = ["*"]) reports on gaps. A gap whose instance id would equal
// another's ignoring case (one folder on the file systems of Windows and
// macOS) gets "-uncatalogued" after its code.
func (s *Suite) InstancesWith(sel Select, gaps Gaps) []Instance {
	var out []Instance
	for _, def := range s.Defs {
		if sel.admits(def.Status) {
			out = append(out, s.expand(def)...)
		}
	}
	taken := map[string]bool{}
	for _, in := range out {
		taken[strings.ToLower(in.ID)] = true
	}
	var all []Instance
	for _, def := range s.Defs {
		if !sel.admits(def.Status) {
			continue
		}
		all = append(all, s.expand(def)...)
		if def.MatrixKeys != nil {
			continue
		}
		keys, roles, what := gaps.SRVs, def.Audience, "SRV"
		switch def.MatrixOver {
		case "alert":
			keys, roles, what = gaps.Alerts, nil, "Alert"
			for _, r := range def.Audience {
				if slices.Contains(contract.UncataloguedAlertRoles, r) {
					roles = append(roles, r)
				}
			}
		case "":
			continue
		}
		if len(roles) == 0 {
			continue
		}
		for _, key := range keys {
			id := def.ID + "-" + key
			if taken[strings.ToLower(id)] {
				id += "-uncatalogued"
			}
			taken[strings.ToLower(id)] = true
			all = append(all, Instance{Def: def, ID: id, Key: key, Name: "not in the catalogue", Roles: roles,
				Title: what + " " + key + " (not in the catalogue)", Uncatalogued: true})
		}
	}
	return all
}

func (s *Suite) expand(def *Definition) []Instance {
	type item struct {
		key, name string
		roles     []contract.Role
	}
	var items []item
	switch def.MatrixOver {
	case "":
		items = []item{{roles: def.Audience}}
	case "srv":
		for _, x := range s.Catalogue.SRVs {
			items = append(items, item{x.ID, x.Name, def.Audience})
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
		var roles []contract.Role
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
