package txn

import "github.com/atomicwrite/atomicwrite/internal/protocol"

// WithSeam sets, for every entry of the Tx, Settings that no production
// option reaches: the test seams. It exists only in this package's test
// binary.
func WithSeam(f ...func(*protocol.Settings)) Option {
	return txOption(func(tx *Tx) { tx.seams = append(tx.seams, f...) })
}
