// Package contract holds the words of carport's two contracts, defined
// once and imported everywhere else: the extract contract (the files a
// warehouse delivers, their columns and enumerations, the user roles,
// party ids, codes and the Europe/London reporting calendar; see
// docs/extracts.md) and the output contract (the datasets and view kinds a
// report definition may ask for, the header of each view's CSV, and where
// a party's bundle is published; see docs/outputs.md).
//
// A second copy of a column list or a role list anywhere else is a bug
// waiting: readers, generators, definitions and the engine all take them
// from here. The package imports nothing of carport's.
package contract
