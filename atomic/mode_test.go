//go:build unix

package atomic_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/protocol"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

// setUmask sets the process umask for one test. The umask is the
// process's, so no test in this package runs in parallel.
func setUmask(t *testing.T, mask int) {
	t.Helper()
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

func modeOf(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode()
}

func TestModeNewFileFollowsUmask(t *testing.T) {
	for _, tt := range []struct {
		umask int
		want  fs.FileMode
	}{{0o022, 0o644}, {0o077, 0o600}, {0o002, 0o664}, {0, 0o666}} {
		setUmask(t, tt.umask)
		path := filepath.Join(t.TempDir(), "new")
		if err := atomic.WriteString(path, "x"); err != nil {
			t.Fatal(err)
		}
		// The same as os.WriteFile gives, by construction of the test.
		ref := filepath.Join(filepath.Dir(path), "ref")
		os.WriteFile(ref, nil, 0o666)
		if got := modeOf(t, path); got != tt.want || got != modeOf(t, ref) {
			t.Errorf("umask %03o: new file has mode %v, want %v (os.WriteFile: %v)", tt.umask, got, tt.want, modeOf(t, ref))
		}
	}
}

func TestModeExistingKept(t *testing.T) {
	setUmask(t, 0o022)
	for _, mode := range []fs.FileMode{0o600, 0o640, 0o755, 0o000, 0o777,
		0o755 | fs.ModeSetuid, 0o755 | fs.ModeSetgid, 0o644 | fs.ModeSticky} {
		path := filepath.Join(t.TempDir(), "target")
		testenv.WriteFile(t, path, []byte("old"), mode)
		if err := atomic.WriteString(path, "new"); err != nil {
			t.Fatal(err)
		}
		if got := modeOf(t, path); got != mode {
			t.Errorf("existing mode %v became %v", mode, got)
		}
		os.Chmod(path, 0o600) // readable again, for a writer that is not root
		testenv.FileHolds(t, path, []byte("new"))
	}
}

func TestWithModeExact(t *testing.T) {
	setUmask(t, 0o077)
	for _, mode := range []fs.FileMode{0o644, 0o666, 0o600, 0o400, 0o777,
		0o755 | fs.ModeSetuid, 0o750 | fs.ModeSetgid, 0o777 | fs.ModeSticky} {
		for _, existing := range []bool{false, true} {
			path := filepath.Join(t.TempDir(), "target")
			if existing {
				testenv.WriteFile(t, path, []byte("old"), 0o640)
			}
			if err := atomic.WriteString(path, "new", atomic.WithMode(mode)); err != nil {
				t.Fatal(err)
			}
			if got := modeOf(t, path); got != mode {
				t.Errorf("WithMode(%v), existing=%v: got %v", mode, existing, got)
			}
		}
	}
}

func TestWithModeInvalid(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "target")
	testenv.WriteFile(t, path, []byte("old"), 0o644)
	err := atomic.WriteString(path, "new", atomic.WithMode(fs.ModeDir|0o755))
	if !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("WithMode(ModeDir|0755): got %v, want fs.ErrInvalid", err)
	}
	testenv.FileHolds(t, path, []byte("old"))
	testenv.DirHolds(t, dir, "target")
}

func TestOwnerKeptAsRoot(t *testing.T) {
	testenv.RequireRoot(t)
	path := filepath.Join(t.TempDir(), "target")
	testenv.WriteFile(t, path, []byte("old"), 0o4755)
	if err := os.Chown(path, 1234, 5678); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o4755|0o2000) // chown cleared setuid; set setuid+setgid again
	want := modeOf(t, path)
	if err := atomic.WriteString(path, "new"); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	st := fi.Sys().(*syscall.Stat_t)
	if st.Uid != 1234 || st.Gid != 5678 {
		t.Errorf("owner became %d:%d, want 1234:5678", st.Uid, st.Gid)
	}
	if fi.Mode() != want {
		t.Errorf("mode became %v, want %v (owner must be set before mode)", fi.Mode(), want)
	}
}

// A writer that may not give the new file the old owner still succeeds,
// and the new file is its own, as with any editor.
func TestOwnerNotAllowed(t *testing.T) {
	testenv.RequireRoot(t)
	dir := t.TempDir()
	os.Chmod(filepath.Dir(dir), 0o755)
	os.Chmod(dir, 0o777)
	path := filepath.Join(dir, "target")
	testenv.WriteFile(t, path, []byte("old"), 0o666) // owned by root
	out, err := testenv.ChildAsNobody(t, "write", path, "new").Output()
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	var res childResult
	json.NewDecoder(bytes.NewReader(out)).Decode(&res)
	if res.Err != "" {
		t.Fatalf("unprivileged write failed: %s", res.Err)
	}
	testenv.FileHolds(t, path, []byte("new"))
	fi, _ := os.Stat(path)
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != testenv.NobodyUID {
		t.Errorf("new file belongs to uid %d, want the writer's %d", st.Uid, testenv.NobodyUID)
	}
	if fi.Mode() != 0o666 {
		t.Errorf("mode became %v, want 0666 kept", fi.Mode())
	}
	testenv.DirHolds(t, dir, "target")
}

// The temp file never grants more access than the final file will. The
// temp's mode is read at two points of the protocol, reached through the
// Inject seam (no fault is injected: the hook only looks).
func TestTempNeverMoreOpenThanFinal(t *testing.T) {
	setUmask(t, 0o022)
	tests := []struct {
		name     string
		existing fs.FileMode // 0: no target
		opts     []atomic.Option
		final    fs.FileMode
	}{
		{"existing 0600", 0o600, nil, 0o600},
		{"existing 0640", 0o640, nil, 0o640},
		{"WithMode 0600 over 0644", 0o644, []atomic.Option{atomic.WithMode(0o600)}, 0o600},
		{"WithMode 0644, new", 0, []atomic.Option{atomic.WithMode(0o644)}, 0o644},
		{"new, umask 022", 0, nil, 0o644},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "target")
			if tt.existing != 0 {
				testenv.WriteFile(t, path, []byte("old"), tt.existing)
			}
			var seen []protocol.Step
			look := inject(func(step protocol.Step) error {
				if step != protocol.StepWrite && step != protocol.StepSync {
					return nil
				}
				seen = append(seen, step)
				for _, name := range listDir(t, dir) {
					if name == "target" {
						continue
					}
					m := modeOf(t, filepath.Join(dir, name)).Perm()
					if extra := m &^ tt.final.Perm(); extra != 0 {
						t.Errorf("at %v the temp %s has mode %v: grants %v that the final %v does not", step, name, m, extra, tt.final)
					}
					if step == protocol.StepSync && m != tt.final.Perm() {
						t.Errorf("before fsync the temp has mode %v, want its final %v", m, tt.final)
					}
				}
				return nil
			})
			if err := atomic.WriteString(path, "secret", append(tt.opts, look)...); err != nil {
				t.Fatal(err)
			}
			if len(seen) != 2 {
				t.Fatalf("hook saw %v, want the write and the sync", seen)
			}
			if got := modeOf(t, path); got != tt.final {
				t.Errorf("final mode %v, want %v", got, tt.final)
			}
		})
	}
}

// inject returns an option that calls f before each step of the protocol
// (the test seam of package protocol).
func inject(f func(protocol.Step) error) atomic.Option {
	return atomic.WithSeam(func(s *protocol.Settings) { s.Inject = f })
}

// In a setgid directory a new file takes the directory's group; a file
// that replaces one of another group must still get the old file's.
func TestOwnerKeptInSetgidDirectory(t *testing.T) {
	testenv.RequireRoot(t)
	dir := testenv.SetgidDir(t, 5678)
	for _, gid := range []int{0, 5678} {
		path := filepath.Join(dir, fmt.Sprint(gid))
		testenv.WriteFile(t, path, []byte("old"), 0o644)
		os.Chown(path, 0, gid)
		if err := atomic.WriteString(path, "new"); err != nil {
			t.Fatal(err)
		}
		fi, _ := os.Stat(path)
		if got := fi.Sys().(*syscall.Stat_t).Gid; got != uint32(gid) {
			t.Errorf("group became %d, want %d kept", got, gid)
		}
	}
}

// WithPerm is os.WriteFile's perm: a new file gets it minus the umask, an
// existing one keeps its mode; os.WriteFile itself is the oracle.
func TestWithPermAsWriteFile(t *testing.T) {
	for _, tt := range []struct {
		umask    int
		perm     fs.FileMode
		existing fs.FileMode // 0: no file before
	}{
		{0o022, 0o640, 0}, {0o077, 0o644, 0}, {0, 0o600, 0}, {0o022, 0o777, 0},
		{0o022, 0o600, 0o644}, {0o077, 0o666, 0o604}, {0, 0o600, 0o755},
	} {
		t.Run(fmt.Sprintf("umask%03o/perm%v/existing%v", tt.umask, tt.perm, tt.existing), func(t *testing.T) {
			setUmask(t, tt.umask)
			dir := t.TempDir()
			path, ref := filepath.Join(dir, "f"), filepath.Join(dir, "ref")
			if tt.existing != 0 {
				for _, p := range []string{path, ref} {
					testenv.WriteFile(t, p, []byte("old"), tt.existing)
				}
			}
			if err := atomic.WriteString(path, "new", atomic.WithPerm(tt.perm)); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(ref, []byte("new"), tt.perm); err != nil {
				t.Fatal(err)
			}
			if got, want := modeOf(t, path), modeOf(t, ref); got != want {
				t.Errorf("mode %v, os.WriteFile gives %v", got, want)
			}
			testenv.FileHolds(t, path, []byte("new"))
		})
	}
	// WithMode, exact, wins; bits other than permissions are refused.
	path := filepath.Join(t.TempDir(), "f")
	if err := atomic.WriteString(path, "x", atomic.WithPerm(0o600), atomic.WithMode(0o640)); err != nil {
		t.Fatal(err)
	}
	if got := modeOf(t, path); got != 0o640 {
		t.Errorf("WithMode and WithPerm: mode %v, want 0640", got)
	}
	if err := atomic.WriteString(path, "x", atomic.WithPerm(0o600|fs.ModeSetuid)); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("WithPerm with setuid: %v, want fs.ErrInvalid", err)
	}
}
