package reportdef

import (
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// Every file of the suite carries its schema_version, and a file of
// another version is refused at that line, whatever the file.
func TestSchemaVersionOfEveryFile(t *testing.T) {
	fsys := shipped(t)
	fsys["demo.toml"] = &fstest.MapFile{Data: []byte(goodDef)}
	for _, name := range []string{"policy.toml", "demo.toml", "catalogue/srvs.toml", "catalogue/alerts.toml",
		"catalogue/device_types.toml", "catalogue/columns.toml", "catalogue/codes.toml"} {
		t.Run(name, func(t *testing.T) {
			src := string(fsys[name].Data)
			i := strings.Index(src, "schema_version = 1\n")
			if i < 0 {
				t.Fatalf("%s has no schema_version = 1", name)
			}
			line := strings.Count(src[:i], "\n") + 1
			want := "reportdefs/" + name + ":" + strconv.Itoa(line) + `: key "schema_version": schema_version is 99, this generator reads 1`
			files := map[string]string{"demo.toml": goodDef}
			files[name] = src[:i] + "schema_version = 99\n" + src[i+len("schema_version = 1\n"):]
			wantProblems(t, files, want)
		})
	}
}
