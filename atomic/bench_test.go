package atomic_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

// The hot paths, for regressions in ordinary development. The comparison
// with other libraries and with the bare system calls is the benchmark
// command in bench/ (its own module), on loop-mounted filesystems.

func BenchmarkWriteFile4K(b *testing.B) {
	path := filepath.Join(testenv.TempDir(b), "target")
	data := bytes.Repeat([]byte("x"), 4096)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := atomic.WriteFile(path, data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteFrom1M(b *testing.B) {
	path := filepath.Join(testenv.TempDir(b), "target")
	data := bytes.Repeat([]byte("x"), 1<<20)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := atomic.WriteFrom(path, bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
