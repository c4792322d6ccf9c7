package txn_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/atomicwrite/atomicwrite/internal/protocol"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// BenchmarkCommit measures a transaction of n 4 KiB files per op; divide
// by n for the cost of an entry. "links" keeps hard-link backups, as on a
// filesystem that cannot exchange two names. See also bench/ for the
// comparison.
func BenchmarkCommit(b *testing.B) {
	data := bytes.Repeat([]byte("x"), 4096)
	links := txn.WithSeam(func(s *protocol.Settings) { s.LinkBackups = true })
	for _, bc := range []struct {
		n    int
		opts []txn.Option
	}{{10, nil}, {100, nil}, {100, []txn.Option{links}}} {
		n := bc.n
		name := fmt.Sprint(n)
		if bc.opts != nil {
			name += "/links"
		}
		b.Run(name, func(b *testing.B) {
			dir := testenv.TempDir(b)
			var names []string
			for i := range n {
				names = append(names, filepath.Join(dir, fmt.Sprint(i)))
				os.WriteFile(names[i], data, 0o644)
			}
			b.ReportAllocs()
			for b.Loop() {
				tx := txn.New(bc.opts...)
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

// BenchmarkReadSet compares a consistent read of two small files, by
// ReadSet and through a Reader, with two os.ReadFile calls ("plain"), when
// nothing commits: in one directory, and in two.
func BenchmarkReadSet(b *testing.B) {
	dir := testenv.TempDir(b)
	for _, sub := range []string{"one", "two/x", "two/y"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			b.Fatal(err)
		}
	}
	for _, pair := range []struct{ name, a, c string }{
		{"one", "one/cert.pem", "one/key.pem"},
		{"two", "two/x/cert.pem", "two/y/key.pem"},
	} {
		a, c := filepath.Join(dir, pair.a), filepath.Join(dir, pair.c)
		testenv.WriteFile(b, a, bytes.Repeat([]byte("a"), 2048), 0o644)
		testenv.WriteFile(b, c, bytes.Repeat([]byte("c"), 2048), 0o644)
		b.Run(pair.name+"/plain", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := os.ReadFile(a); err != nil {
					b.Fatal(err)
				}
				if _, err := os.ReadFile(c); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(pair.name+"/set", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := txn.ReadSet(a, c); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(pair.name+"/reader", func(b *testing.B) {
			b.ReportAllocs()
			var r txn.Reader
			defer r.Close()
			for b.Loop() {
				if _, err := r.ReadSet(a, c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
