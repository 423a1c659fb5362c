package reportdef

// BurntSushi/toml does not say where a decoded key stood, so a light line
// scanner records the line of every key path in a file. It understands
// what our files use: [table], [[array]], key = value, dotted keys and
// multi-line strings and arrays (skipped over). Paths carry array indexes
// ("views.2.kind"), and each path is also recorded without indexes
// ("views.kind") at its first occurrence.

import (
	"strconv"
	"strings"
)

type locator map[string]int

func locate(src string) locator {
	loc := locator{}
	prefix := ""
	counts := map[string]int{}
	lines := strings.Split(src, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if line == "" || line[0] == '#' {
			continue
		}
		switch {
		case strings.HasPrefix(line, "[["):
			name := strings.TrimSpace(strings.TrimSuffix(strings.SplitN(line[2:], "]]", 2)[0], "]]"))
			// an array inside the latest element of another array, e.g.
			// [[views.headline]]: counted per element of the outer one
			name = nestIn(name, counts)
			idx := counts[name]
			counts[name]++
			prefix = name + "." + strconv.Itoa(idx)
			loc.add(prefix, i+1)
			continue
		case strings.HasPrefix(line, "["):
			name := strings.TrimSpace(strings.SplitN(line[1:], "]", 2)[0])
			// a table inside the latest array element, e.g. [views.chart]
			prefix = nestIn(name, counts)
			loc.add(prefix, i+1)
			continue
		}
		eq := strings.IndexByte(line, '=')
		if eq < 0 {
			continue
		}
		key := strings.Trim(strings.TrimSpace(line[:eq]), `"`)
		path := key
		if prefix != "" {
			path = prefix + "." + key
		}
		loc.add(path, i+1)
		// skip the body of a multi-line string or array
		val := strings.TrimSpace(line[eq+1:])
		for _, delim := range []string{`"""`, `'''`} {
			if strings.HasPrefix(val, delim) && strings.Count(val, delim) == 1 {
				for i+1 < len(lines) && !strings.Contains(lines[i+1], delim) {
					i++
				}
				i++
			}
		}
		if strings.HasPrefix(val, "[") && strings.Count(val, "[") > strings.Count(val, "]") {
			for i+1 < len(lines) && !strings.Contains(lines[i+1], "]") {
				i++
			}
			i++
		}
	}
	return loc
}

// nestIn puts the index of the latest element of each enclosing array
// into a dotted table name: "views.headline" becomes "views.2.headline"
// while the third [[views]] is being read.
func nestIn(name string, counts map[string]int) string {
	parts := strings.Split(name, ".")
	out := parts[0]
	for _, p := range parts[1:] {
		if n, ok := counts[out]; ok {
			out += "." + strconv.Itoa(n-1)
		}
		out += "." + p
	}
	return out
}

func (l locator) add(path string, line int) {
	if _, ok := l[path]; !ok {
		l[path] = line
	}
	plain := stripIndexes(path)
	if _, ok := l[plain]; !ok {
		l[plain] = line
	}
}

// line returns the line of path, falling back to its parents, then 0. A
// path with indexes ("views.1.title") is looked up only with them, so a
// key missing from the second view falls back to that view's [[views]]
// line, not to the first view's key; a path without indexes
// ("views.title") finds the first occurrence.
func (l locator) line(path string) int {
	for p := path; p != ""; {
		if n, ok := l[p]; ok {
			return n
		}
		dot := strings.LastIndexByte(p, '.')
		if dot < 0 {
			break
		}
		p = p[:dot]
	}
	return 0
}

func stripIndexes(path string) string {
	parts := strings.Split(path, ".")
	out := parts[:0]
	for _, p := range parts {
		if _, err := strconv.Atoi(p); err == nil {
			continue
		}
		out = append(out, p)
	}
	return strings.Join(out, ".")
}
