package reportdef

// Definitions are matched across revisions by report id, not by file name:
// renaming a file is not a change, while changing an id removes one report
// and adds another. A definition counts as changed when its file's bytes
// changed, comments included: the file is what a reviewer approves, so any
// edit needs a version bump and a changelog entry.

import (
	"fmt"
	"sort"

	"github.com/dcc/carport/internal/contract"
)

// How a definition differs between two revisions.
const (
	Added   = "added"
	Changed = "changed"
	Removed = "removed"
)

// DefDiff is how one definition differs between a base and a head suite.
type DefDiff struct {
	ID   string
	Kind string      // Added, Changed or Removed
	Base *Definition // nil when added
	Head *Definition // nil when removed
	// Content is true when the file's bytes changed; a changed definition
	// whose content is the same changed through the catalogue (an SRV or
	// alert code added to or removed from a whole-catalogue matrix).
	Content bool
	// InstancesAdded and InstancesRemoved are the instance ids only one
	// side produces, sorted.
	InstancesAdded, InstancesRemoved []string
	// Roles are the roles whose sites change: the roles of the instances
	// of each side that is published, in the canonical role order.
	Roles []contract.Role
}

// StatusChanged reports whether the definition's status differs between
// the revisions (false when added or removed).
func (d DefDiff) StatusChanged() bool {
	return d.Base != nil && d.Head != nil && d.Base.Status != d.Head.Status
}

// NewChanges returns the head's changelog entries newer than the base
// version (every entry when the definition was added).
func (d DefDiff) NewChanges() []Change {
	if d.Head == nil {
		return nil
	}
	var out []Change
	for _, c := range d.Head.Changelog {
		if d.Base == nil || d.Base.Version.Less(c.Version) {
			out = append(out, c)
		}
	}
	return out
}

// Diff compares head with base and returns every definition that was
// added, removed or changed, sorted by id. Unchanged definitions are left
// out.
func Diff(base, head *Suite) []DefDiff {
	byID := func(s *Suite) map[string]*Definition {
		m := map[string]*Definition{}
		for _, d := range s.Defs {
			m[d.ID] = d
		}
		return m
	}
	b, h := byID(base), byID(head)
	ids := map[string]bool{}
	for id := range b {
		ids[id] = true
	}
	for id := range h {
		ids[id] = true
	}
	var out []DefDiff
	for id := range ids {
		d := DefDiff{ID: id, Base: b[id], Head: h[id]}
		var bi, hi []Instance
		if d.Base != nil {
			bi = base.expand(d.Base)
		}
		if d.Head != nil {
			hi = head.expand(d.Head)
		}
		d.InstancesAdded, d.InstancesRemoved = instanceDiff(bi, hi)
		switch {
		case d.Base == nil:
			d.Kind, d.Content = Added, true
		case d.Head == nil:
			d.Kind, d.Content = Removed, true
		default:
			d.Content = d.Base.Digest != d.Head.Digest
			if !d.Content && len(d.InstancesAdded)+len(d.InstancesRemoved) == 0 && sameInstances(bi, hi) {
				continue
			}
			d.Kind = Changed
		}
		roles := map[contract.Role]bool{}
		for _, side := range []struct {
			def *Definition
			ins []Instance
		}{{d.Base, bi}, {d.Head, hi}} {
			if side.def == nil || side.def.Status != "published" {
				continue
			}
			for _, in := range side.ins {
				for _, r := range in.Roles {
					roles[r] = true
				}
			}
		}
		for _, r := range contract.Roles {
			if roles[r] {
				d.Roles = append(d.Roles, r)
			}
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func instanceDiff(base, head []Instance) (added, removed []string) {
	b, h := map[string]bool{}, map[string]bool{}
	for _, in := range base {
		b[in.ID] = true
	}
	for _, in := range head {
		h[in.ID] = true
		if !b[in.ID] {
			added = append(added, in.ID)
		}
	}
	for _, in := range base {
		if !h[in.ID] {
			removed = append(removed, in.ID)
		}
	}
	sort.Strings(added)
	sort.Strings(removed)
	return added, removed
}

// sameInstances reports whether every instance both sides produce has the
// same title and roles: a catalogue edit can rename an SRV or change who
// receives an alert code.
func sameInstances(base, head []Instance) bool {
	seen := map[string]string{}
	for _, in := range base {
		seen[in.ID] = fmt.Sprint(in.Title, in.Roles)
	}
	for _, in := range head {
		if v, ok := seen[in.ID]; ok && v != fmt.Sprint(in.Title, in.Roles) {
			return false
		}
	}
	return true
}

// CheckBumps returns a problem for every definition of head whose content
// changed since base without a greater version, at the line of its
// version key. ref names the base revision in messages. That the new
// version has a changelog entry is already a rule of loading.
func CheckBumps(base, head *Suite, ref string) Problems {
	var ps Problems
	for _, d := range Diff(base, head) {
		if d.Kind != Changed || !d.Content {
			continue
		}
		bv, hv := d.Base.Version, d.Head.Version
		var msg string
		switch {
		case hv == bv:
			msg = fmt.Sprintf("content changed since %s but version is still %s (bump it and add a changelog entry)", ref, hv)
		case hv.Less(bv):
			msg = fmt.Sprintf("version went backwards since %s: %s is older than %s (versions only go up)", ref, hv, bv)
		default:
			continue
		}
		ps = append(ps, Problem{File: d.Head.File, Line: d.Head.Line("version"), Key: "version", Msg: msg})
	}
	ps.sort()
	return ps
}
