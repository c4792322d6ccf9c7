//go:build linux && amd64

package crashsuite

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/atomicwrite/atomicwrite/internal/tracer"
)

// errnosFor is which failures each kind of call is made to return.
var errnosFor = map[string][]syscall.Errno{
	"openat":          {syscall.EACCES, syscall.EPERM},
	"openat2":         {syscall.EACCES},
	"write":           {syscall.ENOSPC, syscall.EIO},
	"copy_file_range": {syscall.ENOSPC, syscall.EIO},
	"splice":          {syscall.ENOSPC, syscall.EIO},
	"fchown":          {syscall.EIO},
	"fchmod":          {syscall.EIO},
	"fsync":           {syscall.EIO},
	"close":           {syscall.EIO},
	"linkat":          {syscall.EIO},
	"renameat":        {syscall.EIO},
	"renameat2":       {syscall.EIO},
	"unlinkat":        {syscall.EIO},
	"flock":           {syscall.ENOLCK, syscall.EWOULDBLOCK},
	"syncfs":          {syscall.EIO},
	"mkdirat":         {syscall.EACCES, syscall.ENOSPC, syscall.EIO},
}

// TestErrnoInjection makes each file system call of a write fail in turn,
// the n-th call of each kind with each errno that kind can return. The CLI
// must fail with one line naming a target and the cause, leave the targets
// as they were (or, if the failure came after the renames, say that the
// new content is in place), and leave no temp file that the message does
// not name; or, if it succeeds in spite of the failure, have written
// everything.
func TestErrnoInjection(t *testing.T) {
	forEachCase(t, errnoInjection)
}

func errnoInjection(t *testing.T, fs *filesystem, sc scenario) {
	work := filepath.Join(fs.dir, "errno-"+sc.name)
	sc.setUp(t, work, 0)
	rec, _ := sc.traced(t, work, 1, tracer.Plan{})
	counts := map[string]int{}
	var order []string
	for _, c := range rec.Calls {
		if counts[c.Name] == 0 {
			order = append(order, c.Name)
		}
		counts[c.Name]++
	}
	x := row{fs: fs.name, scenario: sc.name, mode: "errno at every call"}
	var tolerated []string
	for _, name := range order {
		errnos := errnosFor[name]
		if len(errnos) == 0 {
			t.Errorf("no errno planned for %s", name)
		}
		for n := 1; n <= counts[name]; n++ {
			for _, errno := range errnos {
				sc.setUp(t, work, 0)
				only := func(c tracer.Call) bool { return c.Name == name }
				res, stderr := sc.traced(t, work, 1, tracer.Plan{At: n, Action: tracer.Fail, Errno: errno, Only: only})
				what := fmt.Sprintf("%s #%d = %s", name, n, errno.Error())
				if !res.Acted {
					t.Errorf("%s: never reached", what)
					continue
				}
				what = fmt.Sprintf("%s = %s", strings.ReplaceAll(res.Calls[n-1].Path, work, "…"), errno.Error())
				st := sc.look(work, 0, 1, sc.existed(), nil)
				x.tally(st)
				for _, v := range checkFailure(sc, work, res, stderr, st, errno) {
					t.Errorf("%s %s: %s", name, what, v)
					x.violations++
				}
				if res.Status.ExitStatus() == 0 {
					tolerated = append(tolerated, name+" "+what)
				}
				if len(st.leftovers) > 0 {
					recoverCLI(t, sc, work)
				}
			}
		}
	}
	x.notes = fmt.Sprintf("%d injected failures the CLI rightly survived: %s", len(tolerated), strings.Join(tolerated, "; "))
	suite.report.add(x)
}

// checkFailure lists what is wrong with how the CLI met an injected error.
func checkFailure(sc scenario, work string, res tracer.Result, stderr string, st state, errno syscall.Errno) []string {
	v := st.violations()
	switch res.Status.ExitStatus() {
	case 0:
		if st.set() != "all-new" {
			v = append(v, "exit 0 but the targets are "+st.String())
		}
	case 1:
		namesTarget := false
		for _, tg := range sc.targets {
			namesTarget = namesTarget || strings.Contains(stderr, filepath.Join(work, tg.rel))
		}
		if !strings.HasPrefix(stderr, "atomicwrite: ") || strings.Count(stderr, "\n") != 1 || !namesTarget || !strings.Contains(stderr, errno.Error()) {
			v = append(v, fmt.Sprintf("stderr %q does not name a target and the cause in one line", stderr))
		}
		want := "all-old"
		if strings.Contains(stderr, "new content is in place") {
			want = "all-new"
		}
		if st.set() != want {
			v = append(v, fmt.Sprintf("the targets are %v, want %s (stderr %q)", st, want, stderr))
		}
	default:
		v = append(v, fmt.Sprintf("exit status %v", res.Status))
	}
	for _, l := range st.leftovers {
		if !strings.Contains(stderr, filepath.Base(l)) {
			v = append(v, "left behind without a word: "+l)
		}
	}
	return v
}
