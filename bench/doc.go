// Command bench measures atomicwrite against its peers and against the
// physical limit: the bare system-call sequence written inline. It is a
// module of its own, so that the peers never enter the library's go.mod.
//
// Run it as root from this directory (it mounts its own filesystems, in a
// private mount namespace):
//
//	go run . -docs ../docs
//
// It prints the tables and, with -docs, writes docs/performance-results.md
// and docs/performance.png. See docs/performance.md for the method.
package main
