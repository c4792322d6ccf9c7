//go:build unix

package txn_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/atomicwrite/atomicwrite/txn"
)

// A Reader reads what the paths lead to now, not the directories it kept
// from the read before, once a directory of the set has been renamed away
// (without its check that the path still leads to the directory it holds,
// it reads the old one), or turned into a link to another.
func TestReaderFollowsPaths(t *testing.T) {
	for _, tc := range []struct {
		name    string
		replace func(t *testing.T, s set)
		want    []string
	}{
		{"made anew", func(t *testing.T, s set) {
			if err := os.Rename(s.a, s.a+".old"); err != nil {
				t.Fatal(err)
			}
			os.Mkdir(s.a, 0o755)
			os.WriteFile(s.x, []byte("anew x"), 0o644)
		}, []string{"x=anew x", "z=old z"}},
		{"removed", func(t *testing.T, s set) {
			if err := os.RemoveAll(s.a); err != nil {
				t.Fatal(err)
			}
		}, []string{"x absent", "z=old z"}},
		{"a link", func(t *testing.T, s set) {
			other := filepath.Join(filepath.Dir(s.a), "other")
			os.Mkdir(other, 0o755)
			os.WriteFile(filepath.Join(other, "x"), []byte("other x"), 0o644)
			if err := os.Rename(s.a, s.a+".old"); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("other", s.a); err != nil {
				t.Fatal(err)
			}
		}, []string{"x=other x", "z=old z"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSet(t)
			var r txn.Reader
			t.Cleanup(func() { r.Close() })
			readerReads(t, &r, []string{"x=old x", "z=old z"}, s.x, s.z)
			tc.replace(t, s)
			readerReads(t, &r, tc.want, s.x, s.z)
			readerReads(t, &r, tc.want, s.x, s.z)
		})
	}
}
