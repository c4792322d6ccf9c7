package txn_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atomicwrite/atomicwrite/internal/protocol"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// contents returns the set's files as "NAME=CONTENT" ("NAME absent"), in
// order.
func contents(files []txn.File) []string {
	var out []string
	for _, f := range files {
		if f.Exists {
			out = append(out, filepath.Base(f.Name)+"="+string(f.Data))
		} else {
			out = append(out, filepath.Base(f.Name)+" absent")
		}
	}
	return out
}

func TestReadSet(t *testing.T) {
	s := newSet(t)
	files, err := txn.ReadSet(s.x, s.y, s.z)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"x=old x", "y absent", "z=old z"}
	if got := contents(files); !slices.Equal(got, want) {
		t.Errorf("ReadSet: %q, want %q", got, want)
	}
	if files[1].Data != nil || files[0].Name != s.x {
		t.Errorf("ReadSet: %+v, want the names as given and no data for the absent file", files)
	}

	testenv.Symlink(t, "x", filepath.Join(s.a, "link"))
	files, err = txn.ReadSet(filepath.Join(s.a, "link"))
	if err != nil || !slices.Equal(contents(files), []string{"link=old x"}) {
		t.Errorf("ReadSet of a link: %q, %v, want x's content", contents(files), err)
	}

	for _, tc := range []struct {
		name string
		want error
	}{
		{"", fs.ErrInvalid},
		{s.a, protocol.ErrNotRegular},
		{filepath.Join(s.x, "under"), fs.ErrInvalid},
	} {
		_, err := txn.ReadSet(s.x, tc.name)
		var pe *fs.PathError
		if !errors.As(err, &pe) || pe.Path != tc.name {
			t.Errorf("ReadSet(%q): %v, want an error naming it", tc.name, err)
		}
		if tc.want == protocol.ErrNotRegular && !errors.Is(err, tc.want) {
			t.Errorf("ReadSet(%q): %v, want %v", tc.name, err, tc.want)
		}
	}
}

// A reader that runs while a Commit has renamed one file of the set and
// not the other is told so (ErrInFlight), never given the mix; once the
// Commit is done it reads the new set. Without the commit's marks the read
// in the middle returns "new x" with "old z".
func TestReadSetWaitsForCommit(t *testing.T) {
	for _, st := range syncStrategies {
		t.Run(st.name, func(t *testing.T) {
			s := newSet(t)
			var during []string
			var duringErr error
			tx := txn.New(append(st.opts, txn.WithSeam(atRename(func(k int) error {
				if k == 2 { // x renamed, z not yet
					ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
					defer cancel()
					files, err := txn.ReadSetContext(ctx, s.x, s.z)
					during, duringErr = contents(files), err
				}
				return nil
			})))...)
			defer tx.Rollback()
			s.stage(t, tx)
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			if !errors.Is(duringErr, txn.ErrInFlight) || !strings.Contains(duringErr.Error(), s.b) && !strings.Contains(duringErr.Error(), s.a) {
				t.Errorf("ReadSet during the renames: %q, %v; want ErrInFlight naming a directory", during, duringErr)
			}
			files, err := txn.ReadSet(s.x, s.z)
			if want := []string{"x=new x", "z=new z"}; err != nil || !slices.Equal(contents(files), want) {
				t.Errorf("ReadSet after: %q, %v; want %q", contents(files), err, want)
			}
			testenv.DirHolds(t, s.a, "x", "y")
			testenv.DirHolds(t, s.b, "z")
		})
	}
}

// A writer killed between its renames (a real SIGKILL) leaves half a set:
// ReadSet says it needs recovery, and reads the whole new set once
// Recover has run; so does a Reader that kept the directories from a read
// before the kill.
func TestReadSetNeedsRecovery(t *testing.T) {
	for _, st := range syncStrategies {
		t.Run(st.name, func(t *testing.T) {
			s := newSet(t)
			var r txn.Reader // holds the directories from before the kill
			t.Cleanup(func() { r.Close() })
			readerReads(t, &r, []string{"x=old x", "y absent", "z=old z"}, s.x, s.y, s.z)
			killedIn(t, "die", s, protocol.StepRename, 3, st.name) // x and y renamed, z not

			for _, read := range []func(...string) ([]txn.File, error){txn.ReadSet, r.ReadSet} {
				if _, err := read(s.x, s.z); !errors.Is(err, txn.ErrNeedsRecovery) || errors.Is(err, txn.ErrInFlight) {
					t.Fatalf("read after the kill: %v, want ErrNeedsRecovery", err)
				}
			}
			if err := txn.Recover(s.a, s.b); err != nil {
				t.Fatal(err)
			}
			for _, read := range []func(...string) ([]txn.File, error){txn.ReadSet, r.ReadSet} {
				files, err := read(s.x, s.y, s.z)
				if want := []string{"x=new x", "y=new y", "z=new z"}; err != nil || !slices.Equal(contents(files), want) {
					t.Errorf("read after Recover: %q, %v; want %q", contents(files), err, want)
				}
			}
			testenv.DirHolds(t, s.a, "x", "y")
			testenv.DirHolds(t, s.b, "z")
		})
	}
}

// A writer killed between its renames (a real SIGKILL) leaves its marks
// dead. Another Commit in the same directories before Recover, of other
// files, never takes a dead batch's mark for its own (its idle mark file,
// where marks are modes): a read of the first set still says that it
// needs recovery, never returns the mix; after Recover, the new set.
func TestDeadMarkOutlivesOtherCommits(t *testing.T) {
	s := newSet(t)
	killedIn(t, "die", s, protocol.StepRename, 3, syncStrategies[0].name) // x and y renamed, z not
	tx := txn.New()
	defer tx.Rollback()
	tx.WriteString(filepath.Join(s.a, "other"), "other a")
	tx.WriteString(filepath.Join(s.b, "other"), "other b")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	files, err := txn.ReadSet(s.x, s.z)
	if !errors.Is(err, txn.ErrNeedsRecovery) {
		t.Fatalf("ReadSet after the kill and another Commit: %q, %v; want ErrNeedsRecovery", contents(files), err)
	}
	if err := txn.Recover(s.a, s.b); err != nil {
		t.Fatal(err)
	}
	files, err = txn.ReadSet(s.x, s.y, s.z)
	if want := []string{"x=new x", "y=new y", "z=new z"}; err != nil || !slices.Equal(contents(files), want) {
		t.Errorf("ReadSet after Recover: %q, %v; want %q", contents(files), err, want)
	}
}

// A writer killed between its renames (a real SIGKILL) in directories
// where consistent reads were not enabled marked nothing: a read that
// enables them finds what it left (temps, backups, its journal), enables
// nothing and says that the set needs recovery, instead of returning the
// mix; EnableReads says the same. After Recover both succeed.
func TestEnableReadsAfterKilledWriter(t *testing.T) {
	s := plainSet(t)
	killedIn(t, "die", s, protocol.StepRename, 3, "syncfs") // x and y renamed, z not
	testenv.DirHolds(t, s.b, "z", filepath.Base(onlyMatch(t, s.b, ".*.aw-tmp")))
	files, err := txn.ReadSet(s.x, s.z)
	if !errors.Is(err, txn.ErrNeedsRecovery) {
		t.Fatalf("ReadSet after the kill: %q, %v, want ErrNeedsRecovery", contents(files), err)
	}
	if err := txn.EnableReads(context.Background(), s.a, s.b); !errors.Is(err, txn.ErrNeedsRecovery) {
		t.Errorf("EnableReads after the kill: %v, want ErrNeedsRecovery", err)
	}
	if err := txn.Recover(s.a, s.b); err != nil {
		t.Fatal(err)
	}
	files, err = txn.ReadSet(s.x, s.y, s.z)
	if want := []string{"x=new x", "y=new y", "z=new z"}; err != nil || !slices.Equal(contents(files), want) {
		t.Errorf("ReadSet after Recover: %q, %v; want %q", contents(files), err, want)
	}
	testenv.DirHolds(t, s.a, "x", "y")
	testenv.DirHolds(t, s.b, "z")
}

// Where consistent reads are not enabled, a Commit makes no marks: nothing
// of consistent reads appears in its directories.
func TestCommitWithoutReadsMarksNothing(t *testing.T) {
	s := plainSet(t)
	tx := txn.New()
	s.stage(t, tx)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{s.a, s.b} {
		if _, err := os.Lstat(filepath.Join(d, ".aw-commits")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s/.aw-commits: %v, want none", d, err)
		}
	}
}

// pairContent is what the mixed-set test's writer writes to both files of
// commit seq: 2 KiB, the number on every line, so that a torn file shows.
func pairContent(seq int) []byte {
	return bytes.Repeat(fmt.Appendf(nil, "%015d\n", seq), 128)
}

// pairSeq returns the commit a file's content is from, or -1 if it is not
// one whole content.
func pairSeq(data []byte) int {
	if len(data) != 2048 {
		return -1
	}
	seq, err := strconv.Atoi(string(data[:15]))
	if err != nil || !bytes.Equal(data, pairContent(seq)) {
		return -1
	}
	return seq
}

// readPairs is the reader process of TestReadSetNeverMixed: it reads the
// pair a, b n times (mode "set": with ReadSet; "reader": through one
// Reader; "plain": with os.ReadFile each, until stopAt mixed pairs), and
// prints what it saw.
func readPairs(t *testing.T, mode string, n, stopAt int, a, b string) {
	reads, mixed, torn, inFlight := 0, 0, 0, 0
	read := txn.ReadSet
	if mode == "reader" {
		var r txn.Reader
		defer r.Close()
		read = r.ReadSet
	}
	for reads < n && (stopAt == 0 || mixed < stopAt) {
		var da, db []byte
		if mode != "plain" {
			files, err := read(a, b)
			if errors.Is(err, txn.ErrInFlight) {
				inFlight++
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			da, db = files[0].Data, files[1].Data
		} else {
			var err error
			if da, err = os.ReadFile(a); err != nil {
				t.Fatal(err)
			}
			if db, err = os.ReadFile(b); err != nil {
				t.Fatal(err)
			}
		}
		reads++
		sa, sb := pairSeq(da), pairSeq(db)
		switch {
		case sa < 0 || sb < 0:
			torn++
		case sa != sb:
			mixed++
		}
	}
	fmt.Printf("reads=%d mixed=%d torn=%d inflight=%d\n", reads, mixed, torn, inFlight)
}

// Watch yields the set at once, then once per Commit that changes it, with
// the whole new set: each Commit here pauses 50 ms between its two renames,
// which wakes the watch in the middle of it (the first rename is an event
// in the directory), and a Commit that changes nothing in the set wakes it
// without a yield.
func TestWatch(t *testing.T) {
	dir := testenv.TempDir(t)
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	other := filepath.Join(dir, "other")
	commit := func(seq int, pause bool) {
		t.Helper()
		tx := txn.New(txn.WithSeam(atRename(func(k int) error {
			if k == 2 && pause {
				time.Sleep(50 * time.Millisecond)
			}
			return nil
		})))
		defer tx.Rollback()
		if err := tx.WriteFile(a, pairContent(seq)); err != nil {
			t.Fatal(err)
		}
		if err := tx.WriteFile(b, pairContent(seq)); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	commit(0, false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sets := make(chan []txn.File)
	go func() {
		defer close(sets)
		for files, err := range txn.Watch(ctx, a, b) {
			if err != nil {
				t.Error(err)
				return
			}
			sets <- files
		}
	}()
	next := func() int {
		t.Helper()
		select {
		case files, ok := <-sets:
			if !ok {
				t.Fatal("Watch ended")
			}
			sa, sb := pairSeq(files[0].Data), pairSeq(files[1].Data)
			if sa < 0 || sa != sb {
				t.Fatalf("Watch yielded a=%d b=%d: not one commit's set", sa, sb)
			}
			return sa
		case <-time.After(10 * time.Second):
			t.Fatal("Watch yielded nothing for 10 s")
		}
		return -1
	}
	quiet := func() {
		t.Helper()
		select {
		case files, ok := <-sets:
			if !ok {
				t.Fatal("Watch ended")
			}
			t.Fatalf("Watch yielded %d with no change to the set", pairSeq(files[0].Data))
		case <-time.After(300 * time.Millisecond):
		}
	}
	if got := next(); got != 0 {
		t.Fatalf("first set: %d, want 0", got)
	}
	for seq := 1; seq <= 3; seq++ {
		commit(seq, true)
		if got := next(); got != seq {
			t.Fatalf("after commit %d: set %d", seq, got)
		}
		quiet()
	}
	tx := txn.New()
	tx.WriteString(other, "not in the set")
	tx.WriteString(other+"2", "nor this")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	quiet()
	cancel()
	for range sets {
	}
}
