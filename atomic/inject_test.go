package atomic_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/protocol"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

// The steps of a single write, in the contract's order (owner before mode,
// both after the content, fsync before close, rename, then the directory).
var singleWriteSteps = []protocol.Step{
	protocol.StepCreate, protocol.StepWrite, protocol.StepChown, protocol.StepChmod,
	protocol.StepSync, protocol.StepClose, protocol.StepRename, protocol.StepSyncDir,
}

func TestProtocolOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "target")
	testenv.WriteFile(t, path, []byte("old"), 0o644)
	var steps []protocol.Step
	record := inject(func(s protocol.Step) error { steps = append(steps, s); return nil })
	if err := atomic.WriteString(path, "new", record); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(steps, singleWriteSteps) {
		t.Errorf("steps %v, want %v", steps, singleWriteSteps)
	}
}

// A failure at each step, injected at the seam: fsync, close and rename
// cannot be made to fail on demand on a healthy filesystem (the crash
// suite does it from outside with strace). Before the rename the target
// keeps its old content; after it (the directory fsync) the error says the
// new content is in place. No temp remains either way.
func TestFailureAtEachStep(t *testing.T) {
	for _, failAt := range singleWriteSteps {
		t.Run(failAt.String(), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "target")
			testenv.WriteFile(t, path, []byte("old"), 0o644)
			fail := inject(func(s protocol.Step) error {
				if s == failAt {
					return syscall.EIO
				}
				return nil
			})
			err := atomic.WriteString(path, "new", fail)
			if !errors.Is(err, syscall.EIO) {
				t.Fatalf("got %v, want EIO", err)
			}
			var pe *fs.PathError
			if !errors.As(err, &pe) || pe.Path != path {
				t.Errorf("error %q does not name %s", err, path)
			}
			if failAt == protocol.StepSyncDir {
				if !errors.Is(err, atomic.ErrNotDurable) {
					t.Errorf("directory fsync failure %q does not wrap ErrNotDurable", err)
				}
				testenv.FileHolds(t, path, []byte("new"))
			} else {
				if errors.Is(err, atomic.ErrNotDurable) {
					t.Errorf("failure before the rename %q wraps ErrNotDurable", err)
				}
				testenv.FileHolds(t, path, []byte("old"))
			}
			testenv.DirHolds(t, dir, "target")
		})
	}
}
