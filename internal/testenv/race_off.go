//go:build !race

package testenv

// Race reports whether the test binary runs under the race detector, which
// makes every memory access several times slower: long loads scale down.
const Race = false
