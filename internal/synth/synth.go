package synth

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/dcc/carport/internal/atomicfile"
	"github.com/dcc/carport/internal/bundle"
	"github.com/dcc/carport/internal/contract"
)

// Options says what to generate and where.
type Options struct {
	OutDir   string    // created if missing; files are written atomically (temporary file, then rename)
	Period   string    // "YYYY-MM"
	Scale    Scale     // sizes, see ParseScale
	Seed     uint64    // same seed, scale and period give byte-identical CSV files
	Gzip     bool      // write *.csv.gz instead of *.csv (and remove a stale plain twin)
	Progress io.Writer // optional: one line per file written, with rows and rows/s
	// BadRows corrupts that many rows of service_requests.csv (bad
	// timestamp, outcome, rtt, region or field count, in rotation), spread
	// evenly over the file, for tests of the bad-row threshold. 0 writes a
	// clean file.
	BadRows int
}

// Summary says what Generate wrote.
type Summary struct {
	Parties int              // parties (not rows) in parties.csv
	Rows    map[string]int64 // data rows by contract file name, e.g. "alerts.csv", whether or not gzipped
	Bytes   int64            // bytes written to disk over all extracts
	Elapsed time.Duration
}

// gen is one generation run.
type gen struct {
	seed       uint64
	per        contract.Period
	zone       londonZone
	lastDay    int64 // last day of the period, days since the epoch
	alertEndMS int64 // end of the alert extract: period end plus 7 days
	ps         *parties
	est        *estate
	cat        *catIndex
	cpl        [][]int64
	inc        []incident
}

// Generate writes the five extracts of one period into o.OutDir, plus a
// demo age key pair per party: keys/<party_id>.txt (public recipient) and
// identities/<party_id>.key (secret, mode 0600), and a demo DCC signing
// pair: keys/dcc-signing.pub and identities/dcc-signing.key (mode 0600).
func Generate(o Options) (Summary, error) {
	start := time.Now()
	sum := Summary{Rows: map[string]int64{}}
	per, err := contract.ParsePeriod(o.Period)
	if err != nil {
		return sum, err
	}
	if err := o.Scale.validate(); err != nil {
		return sum, err
	}
	if o.BadRows < 0 || o.BadRows > o.Scale.ServiceRequests {
		return sum, fmt.Errorf("bad rows %d: want 0 to %d (the service requests of the scale)", o.BadRows, o.Scale.ServiceRequests)
	}
	if o.OutDir == "" {
		return sum, errors.New("no output folder given")
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return sum, fmt.Errorf("creating output folder: %w", err)
	}
	g := &gen{seed: o.Seed, per: per}
	g.alertEndMS = per.End().AddDate(0, 0, 7).UnixMilli()
	g.zone = newLondonZone(per.StartMS()-40*86_400_000, g.alertEndMS+86_400_000)
	last := per.LastDay()
	g.lastDay = time.Date(last.Year(), last.Month(), last.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400
	if g.ps, err = makeParties(o.Scale.Parties, o.Seed); err != nil {
		return sum, err
	}
	sum.Parties = len(g.ps.list)
	g.cat = newCatIndex()
	g.est = buildEstate(g.ps, o.Scale.Devices, o.Seed)
	g.makeCPL()
	g.makeIncidents()

	files := []struct {
		name  string
		write func(*fileOut)
	}{
		{contract.PartiesFile.Name, g.writeParties},
		{contract.DevicesFile.Name, g.writeDevices},
		{contract.IncidentsFile.Name, g.writeIncidents},
		{contract.ServiceRequestsFile.Name, func(f *fileOut) { g.writeRequests(f, o.Scale.ServiceRequests, o.BadRows) }},
		{contract.AlertsFile.Name, func(f *fileOut) { g.writeAlerts(f, o.Scale.Alerts) }},
	}
	for _, f := range files {
		out, err := create(o.OutDir, f.name, o.Gzip)
		if err != nil {
			return sum, err
		}
		f.write(out)
		n, err := out.commit()
		if err != nil {
			return sum, err
		}
		sum.Rows[f.name] = out.rows
		sum.Bytes += n
		if o.Progress != nil {
			secs := time.Since(out.start).Seconds()
			fmt.Fprintf(o.Progress, "wrote %s: %d rows, %d bytes in %.2fs (%.0f rows/s)\n",
				filepath.Base(out.final), out.rows, n, secs, float64(out.rows)/max(secs, 1e-9))
		}
	}
	if err := writeKeys(o.OutDir, g.ps); err != nil {
		return sum, err
	}
	sum.Elapsed = time.Since(start)
	return sum, nil
}

// writeKeys writes a fresh demo age key pair for every party.
func writeKeys(dir string, ps *parties) error {
	keys, ids := filepath.Join(dir, "keys"), filepath.Join(dir, "identities")
	if err := os.MkdirAll(keys, 0o755); err != nil {
		return fmt.Errorf("creating key folder: %w", err)
	}
	if err := os.MkdirAll(ids, 0o700); err != nil {
		return fmt.Errorf("creating identity folder: %w", err)
	}
	if err := os.Chmod(ids, 0o700); err != nil {
		return fmt.Errorf("securing identity folder: %w", err)
	}
	// the demo DCC signing pair, so that a demo build signs its bundles
	pubKey, secKey, err := bundle.GenerateSigningKey()
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(ids, "dcc-signing.key"), secKey, 0o600); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(keys, "dcc-signing.pub"), pubKey, 0o644); err != nil {
		return err
	}
	for _, p := range ps.list {
		recipient, secret, err := bundle.NewIdentity()
		if err != nil {
			return err
		}
		pub := "# demo recipient for " + p.id + "\n" + recipient + "\n"
		sec := "# demo identity for " + p.id + " (secret: never commit or share)\n# public key: " + recipient + "\n" + secret + "\n"
		if err := atomicfile.WriteFile(filepath.Join(ids, p.id+".key"), []byte(sec), 0o600); err != nil {
			return err
		}
		if err := atomicfile.WriteFile(filepath.Join(keys, p.id+".txt"), []byte(pub), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Cached returns the folder cache/<scale>-<period> holding the month sc
// of period (seed 1), generating it there first unless a "complete"
// marker says an earlier generation finished. The benchmark programs
// share their months this way.
func Cached(cache string, sc Scale, period string, progress io.Writer) (string, error) {
	dir := filepath.Join(cache, sc.Name+"-"+period)
	mark := filepath.Join(dir, "complete")
	if _, err := os.Stat(mark); err == nil {
		return dir, nil
	}
	fmt.Fprintf(progress, "generating the %s month into %s (once)\n", sc.Name, dir)
	if _, err := Generate(Options{OutDir: dir, Period: period, Scale: sc, Seed: 1, Progress: progress}); err != nil {
		return "", fmt.Errorf("generating %s: %w", dir, err)
	}
	return dir, os.WriteFile(mark, nil, 0o644)
}
