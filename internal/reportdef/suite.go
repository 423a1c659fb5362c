package reportdef

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dcc/carport/internal/contract"
)

// SRV is one Service Reference Variant of the catalogue.
type SRV struct {
	ID               string
	Name             string
	BusinessProcess  string
	Critical         bool
	OnDemand         bool
	TargetResponseMS int64
	Roles            []contract.Role
}

// AlertCode is one alert code of the catalogue.
type AlertCode struct {
	Code   string
	Name   string
	Source string // "device" or "dcc"
	Roles  []contract.Role
}

// DeviceType is one device type of the catalogue.
type DeviceType struct {
	ID        string
	Name      string
	Inventory bool
}

// Column is how a site labels and shows one CSV column of the output
// contract; the CSV keeps the machine name and full precision.
type Column struct {
	Name   string // machine name, as in the CSV header
	Label  string // "Success rate", "Mean RTT (ms)"
	Format string // one of ColumnFormats
	Better string // one of Betters, or "" for neither
}

// Code is the meaning of a response or delivery-failure reason code,
// shown in a site's glossary.
type Code struct {
	Code    string
	Meaning string
}

// Catalogue holds the SRVs, alert codes and device types definitions refer
// to, and the words sites use for columns and codes.
type Catalogue struct {
	SRVs        []SRV
	Alerts      []AlertCode
	DeviceTypes []DeviceType
	// Columns labels the contract's columns (catalogue/columns.toml,
	// optional: a column without an entry shows its machine name).
	Columns []Column
	// ResponseCodes and ReasonCodes explain the codes of service request
	// responses and failed alert deliveries (catalogue/codes.toml, optional).
	ResponseCodes []Code
	ReasonCodes   []Code
	srv           map[string]*SRV
	alert         map[string]*AlertCode
}

// Has reports whether the catalogue over ("srv" or "alert") holds key.
func (c *Catalogue) Has(over, key string) bool {
	switch over {
	case "srv":
		return c.srv[key] != nil
	case "alert":
		return c.alert[key] != nil
	}
	return false
}

// Column returns how sites show the column named name, or nil.
func (c *Catalogue) Column(name string) *Column {
	for i := range c.Columns {
		if c.Columns[i].Name == name {
			return &c.Columns[i]
		}
	}
	return nil
}

// SRV returns the catalogue entry for id, or nil.
func (c *Catalogue) SRV(id string) *SRV { return c.srv[id] }

// Alert returns the catalogue entry for code, or nil.
func (c *Catalogue) Alert(code string) *AlertCode { return c.alert[code] }

// Policy holds the disclosure and data-quality rules.
type Policy struct {
	MinPeers            int
	MaxBadFraction      float64
	CPLExpiryDays       int
	CertExpiryDays      int
	N16N42Window        time.Duration
	OutageRestoreWindow time.Duration
	FeedbackEmail       string
	// Insights holds the thresholds of the home page's headline marks and
	// call-outs; nil when the policy has no [insights] table, and then
	// sites show no call-outs and mark no small samples.
	Insights *InsightPolicy
}

// InsightPolicy is the policy's [insights] table.
type InsightPolicy struct {
	MaxShown             int     // call-outs shown on a home page at most
	SmallSampleEvents    int     // figures on fewer events are small samples: marked, never called out
	BottomQuartile       float64 // a league rank in this worst fraction of parties is called out
	BehindIndustryPoints float64 // a rate this many percentage points below industry is called out
	BehindIndustryRatio  float64 // a time this many times industry's is called out
	SegmentFailureRatio  float64 // a segment failing this many times the average is called out
	LevelPoints          float64 // headline rates within this many points of industry are "level"
	LevelRatio           float64 // headline times within this fraction of industry's are "level"
}

// Suite is every definition, the catalogue and the policy, validated.
type Suite struct {
	Dir       string
	Defs      []*Definition // sorted by id
	Catalogue *Catalogue
	Policy    Policy
	// Sources is the sha256 of every file read, by its name under Dir
	// ("srv.toml", "catalogue/srvs.toml"), so a plan can say which
	// catalogue or policy files changed.
	Sources map[string]string
}

type rawSRVs struct {
	SchemaVersion int `toml:"schema_version"`
	SRV           []struct {
		ID               string   `toml:"id"`
		Name             string   `toml:"name"`
		BusinessProcess  string   `toml:"business_process"`
		Critical         bool     `toml:"critical"`
		OnDemand         bool     `toml:"on_demand"`
		TargetResponseMS int64    `toml:"target_response_ms"`
		Roles            []string `toml:"roles"`
	} `toml:"srv"`
}

type rawAlerts struct {
	SchemaVersion int `toml:"schema_version"`
	Alert         []struct {
		Code   string   `toml:"code"`
		Name   string   `toml:"name"`
		Source string   `toml:"source"`
		Roles  []string `toml:"roles"`
	} `toml:"alert"`
}

type rawDeviceTypes struct {
	SchemaVersion int `toml:"schema_version"`
	DeviceType    []struct {
		ID        string `toml:"id"`
		Name      string `toml:"name"`
		Inventory bool   `toml:"inventory"`
	} `toml:"device_type"`
}

type rawPolicy struct {
	SchemaVersion       int               `toml:"schema_version"`
	MinPeers            int               `toml:"min_peers"`
	MaxBadFraction      float64           `toml:"max_bad_fraction"`
	CPLExpiryDays       int               `toml:"cpl_expiry_days"`
	CertExpiryDays      int               `toml:"cert_expiry_days"`
	N16N42Window        string            `toml:"n16_n42_window"`
	OutageRestoreWindow string            `toml:"outage_restore_window"`
	FeedbackEmail       string            `toml:"feedback_email"`
	Insights            *rawInsightPolicy `toml:"insights"`
}

type rawInsightPolicy struct {
	MaxShown             int     `toml:"max_shown"`
	SmallSampleEvents    int     `toml:"small_sample_events"`
	BottomQuartile       float64 `toml:"bottom_quartile"`
	BehindIndustryPoints float64 `toml:"behind_industry_points"`
	BehindIndustryRatio  float64 `toml:"behind_industry_ratio"`
	SegmentFailureRatio  float64 `toml:"segment_failure_ratio"`
	LevelPoints          float64 `toml:"level_points"`
	LevelRatio           float64 `toml:"level_ratio"`
}

type rawColumns struct {
	SchemaVersion int `toml:"schema_version"`
	Column        []struct {
		Name   string `toml:"name"`
		Label  string `toml:"label"`
		Format string `toml:"format"`
		Better string `toml:"better"`
	} `toml:"column"`
}

type rawCodes struct {
	SchemaVersion int `toml:"schema_version"`
	ResponseCode  []struct {
		Code    string `toml:"code"`
		Meaning string `toml:"meaning"`
	} `toml:"response_code"`
	ReasonCode []struct {
		Code    string `toml:"code"`
		Meaning string `toml:"meaning"`
	} `toml:"reason_code"`
}

// Load reads and validates the suite in dir (reportdefs/): catalogue/,
// policy.toml and every other *.toml as a definition. It reports every
// problem at once as Problems.
func Load(dir string) (*Suite, error) {
	return LoadFS(os.DirFS(dir), dir)
}

// LoadFS is Load over a file system (used to lint a git revision); name
// prefixes file names in messages.
func LoadFS(fsys fs.FS, name string) (*Suite, error) {
	s := &Suite{Dir: name, Sources: map[string]string{}}
	var all Problems
	read := func(file string) (string, *decoder, bool) {
		d := &decoder{file: filepath.Join(name, file)}
		b, err := fs.ReadFile(fsys, file)
		if err != nil {
			all = append(all, Problem{File: d.file, Msg: "cannot read: " + strings.TrimPrefix(err.Error(), "open "+file+": ")})
			return "", d, false
		}
		sum := sha256.Sum256(b)
		s.Sources[file] = hex.EncodeToString(sum[:])
		return string(b), d, true
	}
	s.Catalogue = loadCatalogue(read, &all)
	// the words of sites are optional files: a suite without them labels
	// columns by their machine names and explains no codes
	for _, f := range []string{"catalogue/columns.toml", "catalogue/codes.toml"} {
		if _, err := fs.Stat(fsys, f); err != nil {
			continue
		}
		if src, d, ok := read(f); ok {
			if f == "catalogue/columns.toml" {
				s.Catalogue.Columns = loadColumns(d, src)
			} else {
				s.Catalogue.ResponseCodes, s.Catalogue.ReasonCodes = loadCodes(d, src)
			}
			all = append(all, d.problems...)
		}
	}
	s.Policy = loadPolicy(read, &all)

	files, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	ids := map[string]string{}
	for _, f := range files {
		if f == "policy.toml" {
			continue
		}
		src, d, ok := read(f)
		if !ok {
			continue
		}
		var r rawDef
		if d.decode(src, &r) {
			def := d.compileDef(&r, []byte(src), s.Catalogue)
			if prev, dup := ids[def.ID]; dup && def.ID != "" {
				d.addf("id", "duplicate report id %q (also in %s)", def.ID, prev)
			}
			ids[def.ID] = d.file
			s.Defs = append(s.Defs, def)
		}
		all = append(all, d.problems...)
	}
	all = append(all, s.checkInstanceIDs()...)
	if len(all) > 0 {
		all.sort()
		return nil, all
	}
	sort.Slice(s.Defs, func(i, j int) bool { return s.Defs[i].ID < s.Defs[j].ID })
	return s, nil
}

func parseRoles(d *decoder, key string, names []string) []contract.Role {
	var out []contract.Role
	for _, n := range names {
		r, err := contract.ParseRole(n)
		if err != nil {
			d.addf(key, "%v", err)
			continue
		}
		out = append(out, r)
	}
	return out
}

func loadCatalogue(read func(string) (string, *decoder, bool), all *Problems) *Catalogue {
	c := &Catalogue{srv: map[string]*SRV{}, alert: map[string]*AlertCode{}}
	seen := map[string]bool{} // ids already read; the maps are built once the slices stop growing
	if src, d, ok := read("catalogue/srvs.toml"); ok {
		var r rawSRVs
		if d.decode(src, &r) {
			d.checkSchema(r.SchemaVersion)
			for i, x := range r.SRV {
				key := fmt.Sprintf("srv.%d.", i)
				if x.ID == "" || seen["srv"+x.ID] {
					d.addf(key+"id", "missing or duplicate SRV id %q", x.ID)
					continue
				}
				seen["srv"+x.ID] = true
				c.SRVs = append(c.SRVs, SRV{ID: x.ID, Name: x.Name, BusinessProcess: x.BusinessProcess, Critical: x.Critical,
					OnDemand: x.OnDemand, TargetResponseMS: x.TargetResponseMS, Roles: parseRoles(d, key+"roles", x.Roles)})
			}
		}
		*all = append(*all, d.problems...)
	}
	if src, d, ok := read("catalogue/alerts.toml"); ok {
		var r rawAlerts
		if d.decode(src, &r) {
			d.checkSchema(r.SchemaVersion)
			for i, x := range r.Alert {
				key := fmt.Sprintf("alert.%d.", i)
				if x.Code == "" || seen["alert"+x.Code] {
					d.addf(key+"code", "missing or duplicate alert code %q", x.Code)
					continue
				}
				seen["alert"+x.Code] = true
				if x.Source != "device" && x.Source != "dcc" {
					d.addf(key+"source", "unknown alert source %q (want device or dcc)", x.Source)
				}
				c.Alerts = append(c.Alerts, AlertCode{Code: x.Code, Name: x.Name, Source: x.Source, Roles: parseRoles(d, key+"roles", x.Roles)})
			}
		}
		*all = append(*all, d.problems...)
	}
	// pointers into the slices only once they have stopped growing
	for i := range c.SRVs {
		c.srv[c.SRVs[i].ID] = &c.SRVs[i]
	}
	for i := range c.Alerts {
		c.alert[c.Alerts[i].Code] = &c.Alerts[i]
	}
	if src, d, ok := read("catalogue/device_types.toml"); ok {
		var r rawDeviceTypes
		if d.decode(src, &r) {
			d.checkSchema(r.SchemaVersion)
			for _, x := range r.DeviceType {
				c.DeviceTypes = append(c.DeviceTypes, DeviceType{ID: x.ID, Name: x.Name, Inventory: x.Inventory})
			}
		}
		*all = append(*all, d.problems...)
	}
	return c
}

func loadPolicy(read func(string) (string, *decoder, bool), all *Problems) Policy {
	var p Policy
	src, d, ok := read("policy.toml")
	if !ok {
		return p
	}
	var r rawPolicy
	if d.decode(src, &r) {
		d.checkSchema(r.SchemaVersion)
		p = Policy{MinPeers: r.MinPeers, MaxBadFraction: r.MaxBadFraction, CPLExpiryDays: r.CPLExpiryDays,
			CertExpiryDays: r.CertExpiryDays, FeedbackEmail: r.FeedbackEmail}
		if r.MinPeers < 1 {
			d.addf("min_peers", "min_peers must be at least 1")
		}
		if r.MaxBadFraction < 0 || r.MaxBadFraction >= 1 {
			d.addf("max_bad_fraction", "max_bad_fraction must be in [0, 1)")
		}
		if r.CPLExpiryDays <= 0 || r.CertExpiryDays <= 0 {
			d.addf("cpl_expiry_days", "expiry windows must be positive numbers of days")
		}
		var err error
		if p.N16N42Window, err = time.ParseDuration(r.N16N42Window); err != nil || p.N16N42Window <= 0 {
			d.addf("n16_n42_window", "n16_n42_window %q is not a positive duration like \"168h\"", r.N16N42Window)
		}
		if p.OutageRestoreWindow, err = time.ParseDuration(r.OutageRestoreWindow); err != nil || p.OutageRestoreWindow <= 0 {
			d.addf("outage_restore_window", "outage_restore_window %q is not a positive duration like \"24h\"", r.OutageRestoreWindow)
		}
		if r.Insights != nil {
			p.Insights = compileInsightPolicy(d, r.Insights)
		}
	}
	*all = append(*all, d.problems...)
	return p
}

func compileInsightPolicy(d *decoder, r *rawInsightPolicy) *InsightPolicy {
	p := InsightPolicy(*r)
	if p.MaxShown < 1 {
		d.addf("insights.max_shown", "max_shown must be at least 1")
	}
	if p.SmallSampleEvents < 1 {
		d.addf("insights.small_sample_events", "small_sample_events must be at least 1")
	}
	if p.BottomQuartile <= 0 || p.BottomQuartile >= 1 {
		d.addf("insights.bottom_quartile", "bottom_quartile must be a fraction in (0, 1), e.g. 0.25")
	}
	if p.BehindIndustryPoints <= 0 {
		d.addf("insights.behind_industry_points", "behind_industry_points must be a positive number of percentage points")
	}
	if p.BehindIndustryRatio <= 1 {
		d.addf("insights.behind_industry_ratio", "behind_industry_ratio must be greater than 1")
	}
	if p.SegmentFailureRatio <= 1 {
		d.addf("insights.segment_failure_ratio", "segment_failure_ratio must be greater than 1")
	}
	if p.LevelPoints < 0 || p.LevelRatio < 0 || p.LevelRatio >= 1 {
		d.addf("insights.level_points", "level_points must not be negative and level_ratio must be in [0, 1)")
	}
	return &p
}

func loadColumns(d *decoder, src string) []Column {
	var r rawColumns
	if !d.decode(src, &r) {
		return nil
	}
	d.checkSchema(r.SchemaVersion)
	var out []Column
	seen := map[string]bool{}
	for i, c := range r.Column {
		key := fmt.Sprintf("column.%d.", i)
		if c.Name == "" || seen[c.Name] {
			d.addf(key+"name", "missing or duplicate column name %q", c.Name)
			continue
		}
		seen[c.Name] = true
		if strings.TrimSpace(c.Label) == "" {
			d.addf(key+"label", "label is required")
		}
		if !slices.Contains(ColumnFormats, c.Format) {
			d.addf(key+"format", "unknown column format %q (want one of %s)", c.Format, strings.Join(ColumnFormats, ", "))
		}
		if c.Better != "" && !slices.Contains(Betters, c.Better) {
			d.addf(key+"better", "better is %q, want higher, lower or no key at all", c.Better)
		}
		out = append(out, Column{Name: c.Name, Label: strings.TrimSpace(c.Label), Format: c.Format, Better: c.Better})
	}
	return out
}

func loadCodes(d *decoder, src string) (resp, reason []Code) {
	var r rawCodes
	if !d.decode(src, &r) {
		return nil, nil
	}
	d.checkSchema(r.SchemaVersion)
	for _, list := range []struct {
		key string
		in  []struct {
			Code    string `toml:"code"`
			Meaning string `toml:"meaning"`
		}
		out *[]Code
	}{{"response_code", r.ResponseCode, &resp}, {"reason_code", r.ReasonCode, &reason}} {
		seen := map[string]bool{}
		for i, c := range list.in {
			key := fmt.Sprintf("%s.%d.", list.key, i)
			if c.Code == "" || seen[c.Code] {
				d.addf(key+"code", "missing or duplicate code %q", c.Code)
				continue
			}
			seen[c.Code] = true
			if strings.TrimSpace(c.Meaning) == "" {
				d.addf(key+"meaning", "meaning is required")
			}
			*list.out = append(*list.out, Code{Code: c.Code, Meaning: strings.TrimSpace(c.Meaning)})
		}
	}
	return resp, reason
}
