package site

import "testing"

func TestMonthChange(t *testing.T) {
	in := &Input{Period: "2026-10", Columns: map[string]Column{
		"success_rate": {Label: "Success rate", Format: fmtPercent, Better: "higher"},
		"median_ms":    {Label: "Median (ms)", Format: fmtMS, Better: "lower"},
		"devices":      {Label: "Devices", Format: fmtCount},
	}}
	trend := func(kind string, header []string, rows ...[]string) viewPlan {
		return viewPlan{in: View{ID: kind, Kind: kind, Header: header, Rows: rows}}
	}
	rep := &reportPlan{views: []viewPlan{
		{in: View{ID: "summary", Kind: "summary", Header: []string{"scope", "success_rate"}}},
		trend("trend", []string{"month", "requests", "success_rate"},
			[]string{"2026-08", "10", "0.5"}, []string{"2026-09", "100", "0.950000"}, []string{"2026-10", "120", "0.962000"}),
		trend("rtt_trend", []string{"month", "requests", "median_ms"},
			[]string{"2026-08", "10", "900"}, []string{"2026-09", "", ""}, []string{"2026-10", "118", "800"}),
	}}
	for _, tc := range []struct {
		h          Headline
		rep        *reportPlan
		text, mark string
	}{
		{Headline{Column: "success_rate", From: "scope"}, rep, "+1.2 points since September 2026 (better)", "better"},
		// September is a gap in the history: said so, not taken for zero
		{Headline{Column: "median_ms", From: "scope"}, rep, "No figure of yours for September 2026", "none"},
		{Headline{Column: "device_id", From: "distinct"}, rep, "", ""},
		// the estate: a sum over the month's segments; a count is neither better nor worse
		{Headline{Column: "devices", From: "sum"}, &reportPlan{views: []viewPlan{trend("trend", []string{"month", "device_type", "devices"},
			[]string{"2026-09", "ESME", "100"}, []string{"2026-09", "GSME", "50"}, []string{"2026-10", "ESME", "90"}, []string{"2026-10", "GSME", "48"})}},
			"−12 (−8.0%) since September 2026", "none"},
		// a trend that starts this month has nothing to compare with
		{Headline{Column: "success_rate", From: "scope"}, &reportPlan{views: []viewPlan{trend("trend", []string{"month", "success_rate"},
			[]string{"2026-10", "0.9"})}}, "", ""},
	} {
		var f headlineFig
		monthChange(in, tc.rep, tc.h, &f)
		if f.Change != tc.text || f.ChangeMark != tc.mark {
			t.Errorf("%s/%s: change %q (%s), want %q (%s)", tc.h.Column, tc.h.From, f.Change, f.ChangeMark, tc.text, tc.mark)
		}
	}
	// a slower round trip is worse; an unchanged rate is level
	if text, mark := describeChange(1100, 1000, in.column("median_ms"), "September 2026"); text != "+100 ms (+10.0%) since September 2026 (worse)" || mark != "worse" {
		t.Errorf("slower: %q %s", text, mark)
	}
	if text, mark := describeChange(0.95002, 0.95, in.column("success_rate"), "September 2026"); text != "Unchanged since September 2026" || mark != "level" {
		t.Errorf("level: %q %s", text, mark)
	}
}
