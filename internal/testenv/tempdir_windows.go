package testenv

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TempDir is t.TempDir for tests that run under wine, where Go's
// os.RemoveAll fails ("Invalid function": it asks for POSIX delete
// semantics, which wine 8.0 lacks). It is removed entry by entry with
// os.Remove, deepest first, and what cannot be removed fails the test.
func TempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "atomicwrite-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		var paths []string
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			paths = append(paths, path)
			return nil
		})
		for _, p := range slices.Backward(paths) {
			os.Chmod(p, 0o666) // a read-only file cannot be removed
			if err := os.Remove(p); err != nil {
				t.Errorf("clean up: %v", err)
			}
		}
	})
	return dir
}
