//go:build linux && amd64

package tracer_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/atomicwrite/atomicwrite/internal/tracer"
)

// TestChild is the traced program when TRACER_TEST_SCOPE is set: it
// creates and fsyncs files from several goroutines (so from several
// threads), renames them, and prints the errors it met.
func TestChild(t *testing.T) {
	scope := os.Getenv("TRACER_TEST_SCOPE")
	if scope == "" {
		return
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []string
	for i := range 4 {
		wg.Go(func() {
			name := filepath.Join(scope, fmt.Sprint(i))
			f, err := os.Create(name)
			if err == nil {
				_, err = f.WriteString("x")
				if err == nil {
					err = f.Sync()
				}
				f.Close()
			}
			if err == nil {
				err = os.Rename(name, name+".done")
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, err.Error())
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	fmt.Printf("errors: %q\n", errs)
}

func traced(t *testing.T, plan tracer.Plan) (tracer.Result, string) {
	t.Helper()
	if os.Geteuid() != 0 {
		// ptrace of one's own child needs no privilege, but some machines
		// restrict it (yama ptrace_scope); CI runs as root.
		t.Log("not root: ptrace may be restricted here")
	}
	scope := t.TempDir()
	plan.Scope = scope
	exe, _ := os.Executable()
	cmd := exec.Command(exe, "-test.run=^TestChild$")
	cmd.Env = append(os.Environ(), "TRACER_TEST_SCOPE="+scope)
	var out strings.Builder
	cmd.Stdout = &out
	res, err := tracer.Run(cmd, plan)
	if err != nil {
		t.Fatal(err)
	}
	return res, out.String()
}

func count(calls []tracer.Call, name string) int {
	n := 0
	for _, c := range calls {
		if c.Name == name {
			n++
		}
	}
	return n
}

func TestRecord(t *testing.T) {
	res, out := traced(t, tracer.Plan{})
	if !strings.Contains(out, "errors: []") {
		t.Fatalf("child said %q", out)
	}
	for name, want := range map[string]int{"openat": 4, "write": 4, "fsync": 4, "close": 4, "renameat": 4} {
		if got := count(res.Calls, name); got != want {
			t.Errorf("%d %s calls, want %d, across all threads: %v", got, name, want, res.Calls)
		}
	}
}

func TestKillAt(t *testing.T) {
	rec, _ := traced(t, tracer.Plan{})
	for k := 1; k <= len(rec.Calls); k++ {
		res, _ := traced(t, tracer.Plan{At: k, Action: tracer.Kill})
		if !res.Acted {
			t.Fatalf("kill at %d not reached", k)
		}
		if !res.Status.Signaled() || res.Status.Signal() != syscall.SIGKILL {
			t.Errorf("kill at %d: status %v", k, res.Status)
		}
		if len(res.Calls) != k || res.Calls[k-1].Done {
			t.Errorf("kill at %d: %d calls entered, the last done=%v", k, len(res.Calls), res.Calls[len(res.Calls)-1].Done)
		}
	}
}

// The goroutines run in a different order each time: Only restricts the
// count to fsync, and the k-th fsync fails, whichever file it is for.
func TestFailAt(t *testing.T) {
	onlyFsync := func(c tracer.Call) bool { return c.Name == "fsync" }
	for k := 1; k <= 4; k++ {
		res, out := traced(t, tracer.Plan{At: k, Action: tracer.Fail, Errno: syscall.EIO, Only: onlyFsync})
		if !res.Acted || len(res.Calls) != 4 || res.Calls[k-1].Err != syscall.EIO {
			t.Fatalf("fail at fsync %d: %v", k, res.Calls)
		}
		failed := res.Calls[k-1].Path
		if !strings.Contains(out, "sync "+failed+": input/output error") || strings.Count(out, "input/output error") != 1 {
			t.Errorf("the child did not see exactly the injected EIO on %s: %q", failed, out)
		}
	}
}
