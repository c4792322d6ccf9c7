package txn_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/atomicwrite/atomicwrite/txn"
)

// BenchmarkCommit measures a transaction of n 4 KiB files per op; divide
// by n for the cost of an entry. See also bench/ for the comparison.
func BenchmarkCommit(b *testing.B) {
	data := bytes.Repeat([]byte("x"), 4096)
	for _, n := range []int{10, 100} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dir := b.TempDir()
			var names []string
			for i := range n {
				names = append(names, filepath.Join(dir, fmt.Sprint(i)))
				os.WriteFile(names[i], data, 0o644)
			}
			b.ReportAllocs()
			for b.Loop() {
				tx := txn.New()
				for _, name := range names {
					if err := tx.WriteFile(name, data); err != nil {
						b.Fatal(err)
					}
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
