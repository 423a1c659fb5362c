package site

import (
	"errors"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/reportdef"
)

// documentsDir is the folder of the content dir holding documents
// (DCC-38): PDF and CSV files described in documents.toml, each shown in
// the sites of the roles it names only.
const documentsDir = "documents"

// docPlan is one document in this party's site.
type docPlan struct {
	Title       string `json:"title"`
	Description string `json:"description_md"`
	Href        string `json:"href"` // "/documents/<file>"
	Name        string `json:"name"`
	Size        string `json:"size"`
	Kind        string `json:"kind"` // PDF or CSV
	Roles       string `json:"roles"`
	src         string // its name in the content file system
}

// documentsFor reads the content's documents and keeps those of the
// roles the party holds; name names content in messages.
func documentsFor(content fs.FS, name string, roles []RoleInput) ([]docPlan, error) {
	if _, err := fs.Stat(content, documentsDir); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	sub, err := fs.Sub(content, documentsDir)
	if err != nil {
		return nil, err
	}
	docs, err := reportdef.LoadDocuments(sub, path.Join(name, documentsDir))
	if err != nil {
		return nil, err
	}
	var out []docPlan
	for _, d := range docs {
		var mine []string
		for _, r := range roles {
			if slices.ContainsFunc(d.Roles, func(x contract.Role) bool { return string(x) == r.Role }) {
				mine = append(mine, r.Role)
			}
		}
		if len(mine) == 0 {
			continue
		}
		kind := "CSV"
		if filepath.Ext(d.File) == ".pdf" {
			kind = "PDF"
		}
		out = append(out, docPlan{Title: d.Title, Description: d.Description, Href: "/" + documentsDir + "/" + d.File, Name: d.File,
			Size: byteSize(d.Size), Kind: kind, Roles: strings.Join(mine, ", "), src: path.Join(documentsDir, d.File)})
	}
	return out, nil
}
