package bench

import (
	"slices"
	"strings"
	"testing"

	"github.com/dcc/carport/internal/contract"
)

func TestServiceRequestSummary(t *testing.T) {
	e := month(t).run()
	pr, err := e.Party("SUPA")
	if err != nil {
		t.Fatal(err)
	}
	// SUPA sent 5 requests in the period, 3 ok; times 100,100,200,300 (one
	// null): mean 175, median rank 2 = 100. Industry: 15 requests, 8 ok;
	// 10700 ms over 14 timed = 764, median 1000 (see TestServiceRequestViews).
	want := `
scope,requests,successes,success_rate,mean_rtt_ms,median_rtt_ms
you,5,3,0.600000,175,100
industry,15,8,0.533333,764,1000`
	wantCSV(t, "IS srv-4.1.1 summary", findView(t, findReport(t, pr, contract.IS, "srv-4.1.1"), "summary"), want)
	// SUPA sent no other SRV in IS: the total over every SRV is the same
	all := findReport(t, pr, contract.IS, "srvs-all")
	wantCSV(t, "IS srvs-all summary", findView(t, all, "summary"), want)
	wantCSV(t, "IS srvs-all rtt", findView(t, all, "rtt"), `
scope,requests,best_ms,worst_ms,mean_ms,median_ms,p95_ms
you,4,100,300,175,100,300
industry,14,100,1000,764,1000,1000`)
	// GS: four peers, one fewer than k: the industry row is withheld
	gs := findView(t, findReport(t, pr, contract.GS, "srvs-all"), "summary")
	wantCSV(t, "GS srvs-all summary", gs, `
scope,requests,successes,success_rate,mean_rtt_ms,median_rtt_ms
you,1,1,1.000000,500,500
industry,,,,,`)
	if !strings.Contains(gs.Withheld, "only 4 other parties") {
		t.Errorf("GS summary withheld = %q", gs.Withheld)
	}
	// a party that sent no service request gets no total
	d, err := e.Party("DNOA")
	if err != nil {
		t.Fatal(err)
	}
	for _, rr := range d.Roles {
		for _, r := range rr.Reports {
			if r.Instance.ID == "srvs-all" {
				t.Errorf("DNOA sent no service request but has %s", r.Instance.ID)
			}
		}
	}
}

func TestExceptionExpiryDates(t *testing.T) {
	e := month(t).run()
	pr, err := e.Party("SUPA")
	if err != nil {
		t.Fatal(err)
	}
	ex := findView(t, findReport(t, pr, contract.IS, "inventory"), "exceptions")
	// the CSV keeps the contract's columns; the dates ride beside, one per row
	if len(ex.Header) != 7 || len(ex.Extra) != 1 || ex.Extra[0].Name != "expires_on" {
		t.Fatalf("header %v, extra %+v", ex.Header, ex.Extra)
	}
	if got := ex.Extra[0].Cells; !slices.Equal(got, []string{"2026-11-15", "2027-01-20"}) {
		t.Errorf("expiry dates = %q, want the CPL date of DEV1 and the certificate date of DEV2", got)
	}
}
