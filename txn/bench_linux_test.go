package txn_test

import (
	"bytes"
	"context"
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
// where consistent reads are enabled ("enabled"), where they are not
// ("off": the Commit looks for the marks directory, finds none, marks
// nothing) and without any of it (a test seam, "none"), in turn, rep by
// rep, each first in turn, on a loop-mounted ext4 with direct I/O where one can be mounted
// (root), else in the temp directory. It reports each variant's time per
// commit and their ratios to "none".
func BenchmarkCommitMarks(b *testing.B) {
	dir := b.TempDir()
	if os.Geteuid() == 0 {
		dir = testenv.DiskExt4(b, "256M")
	}
	type variant struct {
		a, c  string
		opts  []txn.Option
		spent time.Duration
	}
	noMarks := txn.WithSeam(func(s *protocol.Settings) { s.NoMarks = true })
	variants := []*variant{
		{a: filepath.Join(dir, "on-a", "cert.pem"), c: filepath.Join(dir, "on-b", "key.pem")},
		{a: filepath.Join(dir, "off-a", "cert.pem"), c: filepath.Join(dir, "off-b", "key.pem")},
		{a: filepath.Join(dir, "off-a", "cert.pem"), c: filepath.Join(dir, "off-b", "key.pem"), opts: []txn.Option{noMarks}},
	}
	for _, v := range variants {
		os.Mkdir(filepath.Dir(v.a), 0o755)
		os.Mkdir(filepath.Dir(v.c), 0o755)
	}
	if err := txn.EnableReads(context.Background(), filepath.Dir(variants[0].a), filepath.Dir(variants[0].c)); err != nil {
		b.Fatal(err)
	}
	data := bytes.Repeat([]byte("x"), 2048)
	n := 0
	for b.Loop() {
		for i := range variants {
			v := variants[(i+n)%len(variants)] // each first in turn
			start := time.Now()
			tx := txn.New(v.opts...)
			tx.WriteFile(v.a, data)
			tx.WriteFile(v.c, data)
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			v.spent += time.Since(start)
		}
		n++
	}
	none := variants[2].spent
	b.ReportMetric(float64(variants[0].spent.Nanoseconds())/float64(n), "enabled-ns/commit")
	b.ReportMetric(float64(variants[1].spent.Nanoseconds())/float64(n), "off-ns/commit")
	b.ReportMetric(float64(none.Nanoseconds())/float64(n), "none-ns/commit")
	b.ReportMetric(float64(variants[0].spent)/float64(none), "enabled/none")
	b.ReportMetric(float64(variants[1].spent)/float64(none), "off/none")
}
