// Package synth generates a deterministic, realistic synthetic reporting
// period of warehouse extracts (docs/extracts.md) plus demo age keys
// for every party, for demos, tests and benchmarks.
//
// The same seed, scale and period always give byte-identical CSV files: all
// randomness comes from PCG generators seeded from Options.Seed, nothing is
// read from a map in iteration order and no wall-clock time enters the data.
// Generation streams: rows are formatted by hand into big buffered writers
// as they are drawn, so memory does not grow with the number of service
// requests or alerts. The estate is kept as one 14-byte record per home plus
// the homes' numbers in their owners' estate lists; every device's make,
// model and firmware are a pure function of the seed and the device's
// number, so service requests and alerts name real devices of the
// recipient's estate without keeping device rows.
package synth
