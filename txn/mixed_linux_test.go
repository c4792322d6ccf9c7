package txn_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	syncatomic "sync/atomic"
	"testing"
	"time"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// A reader process reads a pair of files that a writer commits back to
// back as one transaction: with ReadSet, and through a Reader (which keeps
// the directories from read to read), it never sees a mixed or torn pair,
// over a million reads (twenty thousand under the race detector, five
// thousand with -short); with two os.ReadFile calls it does (the same
// writer, the same files), which shows the test can fail. On a tmpfs (the
// renames are all the commit's time) and on a loop-mounted ext4 (the
// commit waits for the disk).
func TestReadSetNeverMixed(t *testing.T) {
	n := 1_000_000
	switch {
	case testing.Short():
		n = 5_000
	case testenv.Race:
		n = 20_000 // CI runs the full count without the race detector too
	}
	for _, fs := range []struct {
		name  string
		mount func(testing.TB) string
	}{
		{"tmpfs", func(t testing.TB) string { return testenv.Tmpfs(t, "64m") }},
		{"ext4", func(t testing.TB) string { return testenv.LoopExt4(t, "256M") }},
	} {
		t.Run(fs.name, func(t *testing.T) {
			dir := fs.mount(t)
			a, b := filepath.Join(dir, "a", "cert.pem"), filepath.Join(dir, "b", "key.pem")
			os.Mkdir(filepath.Dir(a), 0o755)
			os.Mkdir(filepath.Dir(b), 0o755)
			commit := func(seq int) error {
				tx := txn.New()
				defer tx.Rollback()
				if err := tx.WriteFile(a, pairContent(seq)); err != nil {
					return err
				}
				if err := tx.WriteFile(b, pairContent(seq)); err != nil {
					return err
				}
				return tx.Commit()
			}
			if err := commit(0); err != nil {
				t.Fatal(err)
			}
			var commits syncatomic.Int64
			stop := make(chan struct{})
			stopped := make(chan error, 1)
			t.Cleanup(func() { // before the filesystem's unmount
				close(stop)
				if err := <-stopped; err != nil {
					t.Error(err)
				}
			})
			go func() {
				for seq := 1; ; seq++ {
					select {
					case <-stop:
						stopped <- nil
						return
					default:
					}
					if err := commit(seq); err != nil {
						stopped <- err
						return
					}
					commits.Add(1)
				}
			}()
			read := func(mode string, n, stopAt int) map[string]int {
				out, err := testenv.Child(t, "read-pairs", mode, fmt.Sprint(n), fmt.Sprint(stopAt), a, b).Output()
				if err != nil {
					t.Fatalf("reader (%s): %v\n%s", mode, err, out)
				}
				got := map[string]int{}
				for _, kv := range strings.Fields(string(out)) {
					if k, v, ok := strings.Cut(kv, "="); ok {
						got[k], _ = strconv.Atoi(v)
					}
				}
				return got
			}
			plain := read("plain", 300_000, 20)
			if plain["mixed"] == 0 {
				t.Errorf("plain reads: %v: no mixed pair, so this test could not tell", plain)
			}
			t.Logf("os.ReadFile twice: %v", plain)
			for _, mode := range []string{"set", "reader"} {
				before := commits.Load()
				got := read(mode, n, 0)
				during := commits.Load() - before
				t.Logf("%s: %v, over %d commits", mode, got, during)
				if got["reads"] != n || got["mixed"] != 0 || got["torn"] != 0 {
					t.Errorf("%s: %v, want %d reads, none mixed or torn", mode, got, n)
				}
				if during < 10 {
					t.Errorf("%d commits while %s read: the writer hardly ran", during, mode)
				}
			}
		})
	}
}

// A set read while single writes replace its files (no transaction) is
// still one instant's. The writer writes a, then b, round after round, with
// pauses of random length; the reader reads b, 200 other files, then
// a: without its check that b is unchanged, a read that spans more than a
// round pairs an old b with an a two rounds ahead.
func TestReadSetSingleWrites(t *testing.T) {
	dir := testenv.Tmpfs(t, "16m") // writes fast enough for a read to span rounds
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	names := []string{b}
	for i := range 200 {
		names = append(names, filepath.Join(dir, fmt.Sprint("f", i)))
		testenv.WriteFile(t, names[i+1], []byte("filler"), 0o644)
	}
	names = append(names, a)
	testenv.WriteFile(t, a, []byte("0"), 0o644)
	testenv.WriteFile(t, b, []byte("0"), 0o644)
	done := make(chan struct{})
	stopped := make(chan error)
	go func() {
		for i := 1; ; i++ {
			for _, p := range []string{a, b} {
				select {
				case <-done:
					stopped <- nil
					return
				case <-time.After(time.Duration(rand.N(100)) * time.Microsecond):
				}
				if err := atomic.WriteFile(p, fmt.Append(nil, i)); err != nil {
					stopped <- err
					return
				}
			}
		}
	}()
	n := 300
	if testing.Short() {
		n = 100
	}
	ok := 0
	for range n {
		files, err := txn.ReadSet(names...)
		if errors.Is(err, txn.ErrInFlight) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		// a is b's round, or the next.
		var va, vb int
		fmt.Sscan(string(files[len(files)-1].Data), &va)
		fmt.Sscan(string(files[0].Data), &vb)
		if va != vb && va != vb+1 {
			t.Fatalf("read a=%d b=%d: not one instant's", va, vb)
		}
		ok++
	}
	close(done)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if ok < n/2 {
		t.Fatalf("%d of %d reads failed with ErrInFlight", n-ok, n)
	}
}
