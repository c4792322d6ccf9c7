//go:build unix

package txn_test

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// FuzzTx runs random sequences of Tx operations against a model of what
// the directories must hold afterwards. Each byte of ops is one operation:
// its low 3 bits and bit 5 say which, bits 3 and 4 which target.
func FuzzTx(f *testing.F) {
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 64 {
			return
		}
		root := testenv.TempDir(t)
		for _, d := range []string{"1", "2"} {
			os.Mkdir(filepath.Join(root, d), 0o755)
		}
		names := []string{"1/a", "1/b", "2/c", "2/d"}
		os.Symlink("a", filepath.Join(root, "1", "link"))
		disk := map[string]string{} // what each name holds; absent: not there
		for _, n := range names[:2] {
			disk[n] = "initial " + n
			testenv.WriteFile(t, filepath.Join(root, n), []byte(disk[n]), 0o644)
		}

		var m model
		tx := txn.New()
		for i, op := range ops {
			name := names[(op>>3)&3]
			data := fmt.Sprintf("op %d %s", i, name)
			path := filepath.Join(root, name)
			switch op&7 | op>>5&1<<3 {
			case 0: // WriteFile
				m.stage(t, name, data, tx.WriteFile(path, []byte(data)))
			case 1: // Create, write, Close
				w, err := tx.Create(path)
				if err == nil {
					w.Write([]byte(data))
					err = w.Close()
				}
				m.stage(t, name, data, err)
			case 2: // Create, left open
				w, err := tx.Create(path)
				if err == nil {
					w.Write([]byte(data))
					m.open++
				}
				m.stage(t, name, data, err)
			case 3: // Commit
				err := tx.Commit()
				if m.commit(t, err, disk) {
					for n, data := range m.staged {
						if data == removed {
							delete(disk, n)
						} else {
							disk[n] = data
						}
					}
				}
			case 4: // Rollback
				if err := tx.Rollback(); err != nil {
					t.Fatalf("Rollback: %v", err)
				}
				m.end()
			case 5: // a path whose directory does not exist
				err := tx.WriteFile(filepath.Join(root, "none", "x"), []byte(data))
				if m.done != errors.Is(err, txn.ErrTxDone) || err == nil {
					t.Fatalf("bad path: %v", err)
				}
				if !m.done {
					m.failed = true
				}
			case 6: // 1/a again, through its symlink
				m.stage(t, "1/a", data, tx.WriteFile(filepath.Join(root, "1", "link"), []byte(data)))
			case 7: // a new transaction
				tx.Rollback()
				tx, m = txn.New(), model{}
			case 8: // Remove (present or not)
				m.stage(t, name, removed, tx.Remove(path))
			case 9: // WriteFile, create-only
				err := tx.WriteFile(path, []byte(data), atomic.WithNoReplace())
				if _, exists := disk[name]; exists && !m.done && m.staged[name] == "" {
					if !errors.Is(err, fs.ErrExist) {
						t.Fatalf("create-only %s, which exists: %v", name, err)
					}
					m.failed = true
					break
				}
				if m.stage(t, name, data, err) {
					m.noReplace = append(m.noReplace, name)
				}
			case 13: // WriteFile into a directory the Tx makes
				m.stage(t, "3/e", data, tx.WriteFile(filepath.Join(root, "3", "e"), []byte(data), atomic.WithMkdirAll(0o755)))
			case 11: // Create, write, Abort: the entry is out of the set
				w, err := tx.Create(path)
				if m.stage(t, name, data, err) {
					w.Write([]byte(data))
					if err := w.Abort(); err != nil {
						t.Fatalf("Abort: %v", err)
					}
					delete(m.staged, name)
				}
			case 12: // ReadFile, then WriteFile only if unchanged
				got, v, rerr := atomic.ReadFile(path)
				if want, ok := disk[name]; ok != (rerr == nil) || string(got) != want {
					t.Fatalf("ReadFile %s: %q, %v; model says %q", name, got, rerr, want)
				}
				if m.stage(t, name, data, tx.WriteFile(path, []byte(data), atomic.WithVersion(v))) {
					if m.read == nil {
						m.read = map[string]*string{}
					}
					m.read[name] = nil
					if d, ok := disk[name]; ok {
						m.read[name] = &d
					}
				}
			case 10: // another process writes the name, outside any Tx
				_, versioned := m.read[name]
				if m.staged[name] != "" && !slices.Contains(m.noReplace, name) && !versioned {
					// A new target taken since staging turns the commit
					// back where the filesystem can exchange names, and is
					// replaced where it cannot: not this model's concern.
					break
				}
				// Longer than any write of a Tx, and than any earlier
				// outside write: a new size, whatever the timestamps'
				// resolution, so that a version always sees the change.
				disk[name] = "outside " + strings.Repeat("o", 100+i)
				testenv.WriteFile(t, path, []byte(disk[name]), 0o644)
			}
		}
		tx.Rollback()

		// The directories hold exactly the model's files, and no temp.
		for _, n := range names {
			want, ok := disk[n]
			got, err := os.ReadFile(filepath.Join(root, n))
			if ok != (err == nil) || string(got) != want {
				t.Errorf("%s: holds %q (%v), model says %q (present %v)", n, got, err, want, ok)
			}
		}
		// 3 exists only once a commit has put 3/e in it.
		if _, ok := disk["3/e"]; ok {
			testenv.FileHolds(t, filepath.Join(root, "3", "e"), []byte(disk["3/e"]))
			testenv.DirHolds(t, filepath.Join(root, "3"), "e")
		} else if _, err := os.Lstat(filepath.Join(root, "3")); err == nil {
			t.Errorf("3 exists, but no commit put 3/e in it")
		}
		for _, d := range []string{"1", "2"} {
			var want []string
			for _, n := range names {
				if _, ok := disk[n]; ok && filepath.Dir(n) == d {
					want = append(want, filepath.Base(n))
				}
			}
			if d == "1" {
				want = append(want, "link")
			}
			testenv.DirHolds(t, filepath.Join(root, d), want...)
		}
	})
}

// removed is what the model stages for a removal.
const removed = "\x00removed"

// model is what one Tx should be doing.
type model struct {
	staged    map[string]string
	noReplace []string           // names staged create-only
	read      map[string]*string // names staged if unchanged: what they held (nil: absent)
	open      int
	failed    bool
	done      bool
}

// stage checks a staging call's error against the model and records it;
// it reports whether the entry was staged.
func (m *model) stage(t *testing.T, name, data string, err error) bool {
	t.Helper()
	switch {
	case m.done:
		if !errors.Is(err, txn.ErrTxDone) {
			t.Fatalf("staging %s after the end: %v, want ErrTxDone", name, err)
		}
	case m.staged[name] != "":
		if !errors.Is(err, txn.ErrDuplicate) {
			t.Fatalf("staging %s twice: %v, want ErrDuplicate", name, err)
		}
		m.failed = true
	case err != nil:
		t.Fatalf("staging %s: %v", name, err)
	default:
		if m.staged == nil {
			m.staged = map[string]string{}
		}
		m.staged[name] = data
		return true
	}
	return false
}

// commit checks Commit's error against the model, with disk as it is
// before the commit; it reports whether the staged files are now on disk.
func (m *model) commit(t *testing.T, err error, disk map[string]string) bool {
	t.Helper()
	switch {
	case m.done:
		if !errors.Is(err, txn.ErrTxDone) {
			t.Fatalf("Commit after the end: %v", err)
		}
		return false
	case m.failed:
		var pe *fs.PathError
		if err == nil || !errors.As(err, &pe) {
			t.Fatalf("Commit after a failed staging: %v", err)
		}
	case m.open > 0:
		if !errors.Is(err, txn.ErrEntryOpen) {
			t.Fatalf("Commit with %d open entries: %v", m.open, err)
		}
	case m.conflicts(disk):
		taken := slices.ContainsFunc(m.noReplace, func(n string) bool { _, ok := disk[n]; return ok })
		changed := m.changed(disk)
		if !(taken && errors.Is(err, fs.ErrExist) || changed && errors.Is(err, atomic.ErrChanged)) {
			t.Fatalf("Commit with a create-only name taken (%v) or a versioned file changed (%v): %v", taken, changed, err)
		}
		m.end()
		return false
	case err != nil:
		t.Fatalf("Commit: %v (staged %v)", err, slices.Sorted(maps.Keys(m.staged)))
	}
	ok := !m.failed && m.open == 0
	m.end()
	return ok
}

// conflicts reports whether a create-only name is taken or a versioned
// file changed, in disk.
func (m *model) conflicts(disk map[string]string) bool {
	return m.changed(disk) || slices.ContainsFunc(m.noReplace, func(n string) bool { _, ok := disk[n]; return ok })
}

// changed reports whether a file staged with its version is no longer as
// it was read.
func (m *model) changed(disk map[string]string) bool {
	for n, was := range m.read {
		now, ok := disk[n]
		if ok != (was != nil) || ok && now != *was {
			return true
		}
	}
	return false
}

func (m *model) end() {
	m.done = true
}
