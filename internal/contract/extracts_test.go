package contract

import (
	"strings"
	"testing"
)

// Headers exactly as the extract contract (docs/extracts.md) lists them,
// written out here rather than taken from the package, so that a drift of
// the package's lists from the contract's text is caught.
var specHeaders = map[string]string{
	"parties.csv": "party_id,party_name,user_role,contact_email",
	"devices.csv": "device_id,sms_id,device_type,device_manufacturer,device_model,firmware_version,smets_version,csp_id,region," +
		"import_supplier_id,export_supplier_id,gas_supplier_id,dno_id,mpxn,postcode,last_read_at,last_alert_at,last_alert_code," +
		"commissioned_status,outage_alert_count,prepayment,cpl_expiry_date,cert_expiry_date,cos_start_date,cos_end_date",
	"service_requests.csv": "request_id,party_id,user_role,srv,command_variant,submitted_at,rtt_ms,outcome,response_code,region," +
		"smets_version,device_type,device_manufacturer,device_model,device_firmware,chf_manufacturer,chf_model,chf_variant,chf_firmware",
	"alerts.csv": "alert_id,party_id,user_role,alert_code,alert_source,device_id,energy_supplier_id,generated_at,delivered_at,outcome," +
		"reason_code,region,smets_version,device_type,device_manufacturer,device_model,device_firmware,chf_manufacturer,chf_model,chf_variant,chf_firmware",
	"incidents.csv": "incident_id,category,start_at,end_at,regions,title",
}

func TestFilesAreTheContracts(t *testing.T) {
	if len(Files) != len(specHeaders) {
		t.Errorf("%d files, the contract has %d", len(Files), len(specHeaders))
	}
	for _, f := range Files {
		if got := strings.Join(f.Header(), ","); got != specHeaders[f.Name] {
			t.Errorf("%s header\n got %s\nwant %s", f.Name, got, specHeaders[f.Name])
		}
	}
	// the optional columns are the contract's
	for _, c := range []struct {
		file File
		col  string
	}{{PartiesFile, "contact_email"}, {ServiceRequestsFile, "command_variant"}} {
		if i := c.file.Index(c.col); i < 0 || !c.file.Columns[i].Optional {
			t.Errorf("%s: %s is not optional", c.file.Name, c.col)
		}
	}
}

// The output views' headers exactly as the output contract
// (docs/outputs.md) lists them, with the default dimensions.
var specViews = map[string]string{
	"service_requests league":    "rank,party,success_rate,requests",
	"service_requests rtt":       "scope,requests,best_ms,worst_ms,mean_ms,median_ms,p95_ms",
	"service_requests daily":     "date,requests,successes,success_rate,mean_rtt_ms,industry_success_rate,industry_mean_rtt_ms,incidents",
	"service_requests failures":  "response_code,region,smets_version,device_type,device_manufacturer,device_model,device_firmware,chf_manufacturer,chf_model,chf_variant,chf_firmware,failures",
	"service_requests svp":       "outcome,response_code,chf_manufacturer,chf_model,chf_variant,chf_firmware,device_type,device_manufacturer,device_model,device_firmware,region,requests,mean_rtt_ms,median_rtt_ms",
	"service_requests summary":   "scope,requests,successes,success_rate,mean_rtt_ms,median_rtt_ms",
	"service_requests breakdown": "dimension,value,requests,successes,success_rate,mean_rtt_ms,industry_success_rate,industry_mean_rtt_ms",
	"alerts daily":               "date,alerts,delivered,delivery_rate,mean_delivery_ms,industry_delivery_rate,industry_mean_delivery_ms,incidents",
	"alerts summary":             "scope,alerts,delivered,delivery_rate,mean_delivery_ms,median_delivery_ms",
	"alerts svp":                 "outcome,reason_code,chf_manufacturer,chf_model,chf_variant,chf_firmware,device_type,device_manufacturer,device_model,device_firmware,region,alerts,mean_delivery_ms",
	"alerts breakdown":           "dimension,value,alerts,delivered,delivery_rate,mean_delivery_ms,industry_delivery_rate,industry_mean_delivery_ms",
	"alerts by_device":           "device_manufacturer,device_model,device_firmware,alerts",
	"alerts followup":            "energy_supplier_id,n16,met,failed,pending",
	"alerts unmatched_summary":   "rule,count",
	"alerts unmatched_devices":   "rule,device_id,alert_id,generated_at",
	"devices models":             "device_type,device_model,firmware_version,devices",
	"devices firmware_share":     "device_model,series,firmware_version,share",
	"devices estate": "device_id,sms_id,device_type,device_manufacturer,device_model,firmware_version,smets_version,csp_id,region," +
		"import_supplier_id,export_supplier_id,gas_supplier_id,dno_id,mpxn,postcode,last_read_at,last_alert_at,last_alert_code," +
		"commissioned_status,outage_alert_count,prepayment,cpl_expiry_date,cert_expiry_date,cos_start_date,cos_end_date," +
		"cpl_expires_within_30_days,cert_expires_within_90_days",
	"devices exceptions": "device_id,device_type,device_model,firmware_version,mpxn,postcode,reason",
	// carport's own additions (docs/outputs.md, docs/history.md)
	"service_requests trend":     "month,requests,successes,success_rate,industry_success_rate,rank,ranked",
	"service_requests rtt_trend": "month,requests,median_ms,industry_median_ms,p95_ms,industry_p95_ms",
	"alerts trend":               "month,alerts,delivered,delivery_rate,industry_delivery_rate,median_delivery_ms,industry_median_delivery_ms",
	"devices trend":              "month,device_type,smets_version,devices,industry_devices",
}

func TestViewsAreTheContracts(t *testing.T) {
	if len(Views) != len(specViews) {
		t.Errorf("%d views, the contract has %d", len(Views), len(specViews))
	}
	for _, v := range Views {
		name := string(v.Dataset) + " " + string(v.Kind)
		if got := strings.Join(v.Header(nil), ","); got != specViews[name] {
			t.Errorf("%s header\n got %s\nwant %s", name, got, specViews[name])
		}
	}
	// a definition's own dimensions replace the default ones
	v, _ := LookupView(ServiceRequests, Failures)
	if got := strings.Join(v.Header([]string{"region"}), ","); got != "region,failures" {
		t.Errorf("failures by region: %s", got)
	}
}
