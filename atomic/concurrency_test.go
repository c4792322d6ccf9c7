package atomic_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	aw "github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

func isDirError(err error) bool {
	return errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.ENOTDIR)
}

// underLoad starts readers that check every read of path, runs the
// writers, and checks that the readers read something, every read was
// whole, and nothing but the target remains.
func underLoad(t *testing.T, writers func(path string)) {
	t.Helper()
	dir := testenv.TempDir(t)
	path := filepath.Join(dir, "target")
	if err := aw.WriteFile(path, testenv.Payload(0, 0)); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var reads atomic.Int64
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() { reads.Add(int64(testenv.ReadUntil(t, path, stop))) })
	}
	writers(path)
	close(stop)
	readers.Wait()
	if reads.Load() == 0 {
		t.Fatal("the readers read nothing: the test proved nothing")
	}
	b, _ := os.ReadFile(path)
	if err := testenv.CheckPayload(b); err != nil {
		t.Errorf("final content: %v", err)
	}
	testenv.DirHolds(t, dir, "target")
}

// Many goroutines write one target while readers check every read.
func TestConcurrentGoroutines(t *testing.T) {
	underLoad(t, func(path string) {
		var wg sync.WaitGroup
		for w := 1; w <= 8; w++ {
			wg.Go(func() {
				for seq := range 40 {
					if err := aw.WriteFile(path, testenv.Payload(w, seq)); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
	})
}

// Several processes write one target while readers check every read.
func TestConcurrentProcesses(t *testing.T) {
	underLoad(t, func(path string) {
		var wg sync.WaitGroup
		for w := 1; w <= 3; w++ {
			cmd := testenv.Child(t, "hammer", path, strconv.Itoa(w), "60")
			wg.Go(func() {
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("writer process: %v\n%s", err, out)
				}
			})
		}
		wg.Wait()
	})
}
