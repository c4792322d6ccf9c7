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
// An unnamed temp (O_TMPFILE) is named just before its fsync.
var singleWriteSteps = []protocol.Step{
	protocol.StepCreate, protocol.StepWrite, protocol.StepChown, protocol.StepChmod,
	protocol.StepName, protocol.StepSync, protocol.StepClose, protocol.StepRename, protocol.StepSyncDir,
}

// tempKinds are the two ways a temp file is staged: unnamed where the
// filesystem allows (every one the tests run on), and named, the fallback
// for the others, forced here through the NamedTemps seam.
var tempKinds = []struct {
	name  string
	opts  []atomic.Option
	steps []protocol.Step
}{
	{"unnamed", nil, singleWriteSteps},
	{"named", []atomic.Option{namedTemps}, slices.DeleteFunc(slices.Clone(singleWriteSteps), func(s protocol.Step) bool { return s == protocol.StepName })},
}

func namedTemps(s *protocol.Settings) { s.NamedTemps = true }

func TestProtocolOrder(t *testing.T) {
	for _, kind := range tempKinds {
		path := filepath.Join(t.TempDir(), "target")
		testenv.WriteFile(t, path, []byte("old"), 0o644)
		var steps []protocol.Step
		record := inject(func(s protocol.Step) error { steps = append(steps, s); return nil })
		if err := atomic.WriteString(path, "new", append(kind.opts, record)...); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(steps, kind.steps) {
			t.Errorf("%s: steps %v, want %v", kind.name, steps, kind.steps)
		}
	}
}

// A failure at each step, injected at the seam: fsync, close and rename
// cannot be made to fail on demand on a healthy filesystem (the crash
// suite does it from outside with strace). Before the rename the target
// keeps its old content; after it (the directory fsync) the error says the
// new content is in place. No temp remains either way.
func TestFailureAtEachStep(t *testing.T) {
	for _, kind := range tempKinds {
		for _, failAt := range kind.steps {
			t.Run(kind.name+"/"+failAt.String(), func(t *testing.T) {
				failureAt(t, failAt, kind.opts)
			})
		}
	}
}

func failureAt(t *testing.T, failAt protocol.Step, opts []atomic.Option) {
	dir := t.TempDir()
	path := filepath.Join(dir, "target")
	testenv.WriteFile(t, path, []byte("old"), 0o644)
	fail := inject(func(s protocol.Step) error {
		if s == failAt {
			return syscall.EIO
		}
		return nil
	})
	err := atomic.WriteString(path, "new", append(opts, fail)...)
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
}
