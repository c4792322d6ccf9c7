package txn_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/atomicwrite/atomicwrite/internal/protocol"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// BenchmarkCommitMarks measures what a Commit pays for its marks for
// consistent readers: a pair of 2 KiB files in two directories, committed
// with and without marks (a test seam), alternately, rep by rep, on a
// loop-mounted ext4 with direct I/O where one can be mounted (root), else
// in the temp directory. It reports each variant's time per commit and
// their ratio.
func BenchmarkCommitMarks(b *testing.B) {
	dir := b.TempDir()
	if os.Geteuid() == 0 {
		dir = testenv.DiskExt4(b, "256M")
	}
	a, c := filepath.Join(dir, "a", "cert.pem"), filepath.Join(dir, "b", "key.pem")
	os.Mkdir(filepath.Dir(a), 0o755)
	os.Mkdir(filepath.Dir(c), 0o755)
	data := bytes.Repeat([]byte("x"), 2048)
	noMarks := txn.WithSeam(func(s *protocol.Settings) { s.NoMarks = true })
	var spent [2]time.Duration
	n := 0
	for b.Loop() {
		for i, opts := range [][]txn.Option{nil, {noMarks}} {
			start := time.Now()
			tx := txn.New(opts...)
			tx.WriteFile(a, data)
			tx.WriteFile(c, data)
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			spent[i] += time.Since(start)
		}
		n++
	}
	b.ReportMetric(float64(spent[0].Nanoseconds())/float64(n), "marks-ns/commit")
	b.ReportMetric(float64(spent[1].Nanoseconds())/float64(n), "none-ns/commit")
	b.ReportMetric(float64(spent[0])/float64(spent[1]), "ratio")
}
