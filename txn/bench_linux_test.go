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
// nothing), without any of it (a test seam, "none"), and where they are
// enabled with the marks kept between Commits ("kept": txn.Marks), in
// turn, rep by rep, each first in turn, on a loop-mounted ext4 with direct
// I/O where one can be mounted (root), else in the temp directory. It
// reports the time per commit of the first three and the ratios to
// "none".
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
	var marks txn.Marks
	b.Cleanup(func() { marks.Close() })
	variants := []*variant{
		{a: filepath.Join(dir, "on-a", "cert.pem"), c: filepath.Join(dir, "on-b", "key.pem")},
		{a: filepath.Join(dir, "off-a", "cert.pem"), c: filepath.Join(dir, "off-b", "key.pem")},
		{a: filepath.Join(dir, "off-a", "cert.pem"), c: filepath.Join(dir, "off-b", "key.pem"), opts: []txn.Option{noMarks}},
		{a: filepath.Join(dir, "kept-a", "cert.pem"), c: filepath.Join(dir, "kept-b", "key.pem"), opts: []txn.Option{txn.WithMarks(&marks)}},
	}
	for _, v := range variants {
		os.Mkdir(filepath.Dir(v.a), 0o755)
		os.Mkdir(filepath.Dir(v.c), 0o755)
	}
	for _, v := range []*variant{variants[0], variants[3]} {
		if err := txn.EnableReads(context.Background(), filepath.Dir(v.a), filepath.Dir(v.c)); err != nil {
			b.Fatal(err)
		}
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
	b.ReportMetric(float64(variants[3].spent)/float64(none), "kept/none")
}
