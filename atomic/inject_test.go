//go:build unix

package atomic_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// tempKinds are the ways a temp file is staged: unnamed while content
// streams in, where the filesystem allows (every one the tests run on);
// named from the start for content given whole; and named for streamed
// content too, the fallback for filesystems without O_TMPFILE, forced here
// through the NamedTemps seam.
var tempKinds = here([]tempKind{
	{"unnamed", nil, writeStreamed, singleWriteSteps},
	{"named", nil, writeWhole, withoutName(singleWriteSteps)},
	{"named fallback", []atomic.Option{namedTemps}, writeStreamed, withoutName(singleWriteSteps)},
})

// here drops the unnamed kind where there is no O_TMPFILE.
func here(kinds []tempKind) []tempKind {
	if testenv.UnnamedTemps {
		return kinds
	}
	return kinds[1:]
}

type tempKind struct {
	name  string
	opts  []atomic.Option
	write func(path string, opts ...atomic.Option) error
	steps []protocol.Step
}

func writeStreamed(path string, opts ...atomic.Option) error {
	return atomic.WriteFrom(path, strings.NewReader("new"), opts...)
}

func writeWhole(path string, opts ...atomic.Option) error {
	return atomic.WriteString(path, "new", opts...)
}

func withoutName(steps []protocol.Step) []protocol.Step {
	return slices.DeleteFunc(slices.Clone(steps), func(s protocol.Step) bool { return s == protocol.StepName })
}

var namedTemps = atomic.WithSeam(func(s *protocol.Settings) { s.NamedTemps = true })

// oldTarget makes the target of the step tests: owned by another user where
// the test may (root), so that the fchown step is taken. It returns the
// steps the test should see.
func oldTarget(t *testing.T, path string, steps []protocol.Step) []protocol.Step {
	t.Helper()
	testenv.WriteFile(t, path, []byte("old"), 0o644)
	if os.Geteuid() == 0 {
		if err := os.Chown(path, 1234, 5678); err != nil {
			t.Fatal(err)
		}
		return steps
	}
	return slices.DeleteFunc(slices.Clone(steps), func(s protocol.Step) bool { return s == protocol.StepChown })
}

func TestProtocolOrder(t *testing.T) {
	for _, kind := range tempKinds {
		path := filepath.Join(t.TempDir(), "target")
		want := oldTarget(t, path, kind.steps)
		var steps []protocol.Step
		record := inject(func(s protocol.Step) error { steps = append(steps, s); return nil })
		if err := kind.write(path, append(kind.opts, record)...); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(steps, want) {
			t.Errorf("%s: steps %v, want %v", kind.name, steps, want)
		}
	}
}

// A failure at each step, injected at the seam: fsync, close and rename
// cannot be made to fail on demand on a healthy filesystem (the crash
// suite does it from outside, with its own ptrace tracer). Before the rename the target
// keeps its old content; after it (the directory fsync) the error says the
// new content is in place. No temp remains either way.
func TestFailureAtEachStep(t *testing.T) {
	for _, kind := range tempKinds {
		for _, failAt := range oldTarget(t, filepath.Join(t.TempDir(), "probe"), kind.steps) {
			t.Run(kind.name+"/"+failAt.String(), func(t *testing.T) {
				failureAt(t, failAt, kind.write, kind.opts)
			})
		}
	}
}

func failureAt(t *testing.T, failAt protocol.Step, write func(string, ...atomic.Option) error, opts []atomic.Option) {
	dir := t.TempDir()
	path := filepath.Join(dir, "target")
	oldTarget(t, path, nil)
	fail := inject(func(s protocol.Step) error {
		if s == failAt {
			return syscall.EIO
		}
		return nil
	})
	err := write(path, append(opts, fail)...)
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
