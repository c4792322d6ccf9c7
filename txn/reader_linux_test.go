package txn_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/atomicwrite/atomicwrite/txn"
)

// openOn returns the descriptors of this process open on the paths (as
// /proc/self/fd tells), in order.
func openOn(t *testing.T, paths ...string) []string {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, fd := range fds {
		if to, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && slices.Contains(paths, to) {
			out = append(out, fd.Name()+" "+to)
		}
	}
	slices.Sort(out)
	return out
}

// A Reader keeps each directory of the set and its marks directory open
// from one read to the next, the same handles read after read; ReadSet
// keeps none, nor does a Reader once closed.
func TestReaderKeeps(t *testing.T) {
	s := newSet(t)
	dirs := []string{s.a, s.b, filepath.Join(s.a, ".aw-commits"), filepath.Join(s.b, ".aw-commits")}
	readSetIs(t, []string{"x=old x", "z=old z"}, s.x, s.z)
	if held := openOn(t, dirs...); len(held) != 0 {
		t.Fatalf("after ReadSet, open %q, want none", held)
	}
	var r txn.Reader
	t.Cleanup(func() { r.Close() })
	readerReads(t, &r, []string{"x=old x", "z=old z"}, s.x, s.z)
	held := openOn(t, dirs...)
	if len(held) != len(dirs) {
		t.Fatalf("after a read through a Reader, open %q, want each of %q once", held, dirs)
	}
	for range 3 {
		s.commitAll(t, "new")
		readerReads(t, &r, []string{"x=new x", "z=new z"}, s.x, s.z)
		if now := openOn(t, dirs...); !slices.Equal(now, held) {
			t.Fatalf("after the next read, open %q, want %q still", now, held)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if now := openOn(t, dirs...); len(now) != 0 {
		t.Fatalf("after Close, open %q, want none", now)
	}
	readerReads(t, &r, []string{"x=new x", "z=new z"}, s.x, s.z)
	if now := openOn(t, dirs...); len(now) != 0 {
		t.Fatalf("after a read through a closed Reader, open %q, want none", now)
	}
}

// A Reader lists a marks directory again only once an entry there has
// changed, which its change time tells; so a mark made under a name of
// its own is seen as soon as it is made. Here every idle mark file is
// held (locked by this test), so a Commit names a mark of its own; the
// marks directories were last changed more than two seconds before the
// Reader listed them, so it holds their listings. Between the Commit's
// renames the Reader is told it is in flight (without its check of the
// change time, it returns "x=new x", "z=old z").
func TestReaderSeesNamedMark(t *testing.T) {
	s := newSet(t)
	var last time.Time
	for _, dir := range []string{s.a, s.b} {
		marks := filepath.Join(dir, ".aw-commits")
		for i := range 8 {
			f, err := os.OpenFile(filepath.Join(marks, fmt.Sprintf("idle-%d", i)), os.O_RDWR|os.O_CREATE, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
				t.Fatal(err)
			}
		}
		var st syscall.Stat_t
		if err := syscall.Stat(marks, &st); err != nil {
			t.Fatal(err)
		}
		if ctime := time.Unix(st.Ctim.Unix()); ctime.After(last) {
			last = ctime
		}
	}
	time.Sleep(time.Until(last.Add(2500 * time.Millisecond)))
	var r txn.Reader
	t.Cleanup(func() { r.Close() })
	readerReads(t, &r, []string{"x=old x", "z=old z"}, s.x, s.z)
	readerReads(t, &r, []string{"x=old x", "z=old z"}, s.x, s.z)
	during, err := commitPairReadingBetween(t, s.x, s.z, r.ReadSetContext, nil, nil)
	if !errors.Is(err, txn.ErrInFlight) {
		t.Errorf("Reader during the renames of a Commit with a named mark: %q, %v; want ErrInFlight", contents(during), err)
	}
	readerReads(t, &r, []string{"x=new x", "z=new y"}, s.x, s.z)
}
