//go:build linux && amd64

package crashsuite

import (
	"fmt"
	iofs "io/fs"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atomicwrite/atomicwrite/internal/tracer"
)

// TestRecoverKilled makes Recover itself crash. For calls of a
// transaction's writer after which a journal is left (the writer killed
// there; which of them, see scenario.recoverPoints), it kills
// `atomicwrite --recover` just before each of its own file system calls in
// turn, and on filesystems that can, cuts the power
// then too; then it runs Recover again. The set must end all old or all
// new, with nothing left over; without a power cut, as an unkilled Recover
// leaves it.
func TestRecoverKilled(t *testing.T) {
	requireSuite(t)
	for _, fs := range suite.fss {
		for _, sc := range scenarios {
			if len(sc.targets) < 2 {
				continue // a single write has no journal
			}
			t.Run(fs.name+"/"+sc.name, func(t *testing.T) { recoverKilled(t, fs, sc) })
		}
	}
}

func recoverKilled(t *testing.T, fs *filesystem, sc scenario) {
	work := filepath.Join(fs.dir, "recover-"+sc.name)
	sc.setUp(t, work, 0)
	rec, stderr := sc.traced(t, work, 1, tracer.Plan{})
	if rec.Status.ExitStatus() != 0 {
		t.Fatalf("recording run: %v: %s", rec.Status, stderr)
	}
	killRow := row{fs: fs.name, scenario: sc.name, mode: "Recover killed at every call"}
	cutRow := row{fs: fs.name, scenario: sc.name, mode: "Recover killed at every call + power cut"}
	detail := []string{"| writer killed before | Recover calls | Recover unkilled | after every killed Recover, then Recover |", "|---|---:|---|---|"}
	// crashed lays the state the writer leaves when killed at call k, and
	// reports whether a journal is there.
	crashed := func(k int) bool {
		sc.setUp(t, work, 0)
		res, _ := sc.traced(t, work, 1, tracer.Plan{At: k, Action: tracer.Kill})
		if !res.Acted {
			t.Fatalf("writer kill point %d never reached", k)
		}
		journal := false
		filepath.WalkDir(work, func(path string, d iofs.DirEntry, err error) error {
			journal = journal || err == nil && strings.HasPrefix(d.Name(), ".txn.") && strings.HasSuffix(d.Name(), ".aw-journal")
			return nil
		})
		return journal
	}
	// The writer's kill points that leave a journal, as the recording
	// shows them: after the call that creates it, up to the one that
	// removes it. Recover is killed at every one of its calls after some
	// of them (scenario.recoverPoints), each checked to leave a journal.
	var points []int
	created := 0
	for i, c := range rec.Calls {
		if !strings.Contains(c.Path, ".aw-journal") {
			continue
		}
		if created == 0 {
			created = i + 1
		}
		if c.Name == "unlinkat" {
			for k := created + 1; k <= i+1; k++ {
				points = append(points, k)
			}
			break
		}
	}
	if len(points) == 0 {
		t.Fatal("no writer kill point left a journal: Recover was never exercised")
	}
	points = sc.recoverPoints(points)
	for _, k := range points {
		if !crashed(k) {
			t.Fatalf("writer killed before call %d (%s) left no journal", k, rec.Calls[k-1])
		}
		ref := recoverTraced(t, sc, work, tracer.Plan{})
		want := sc.look(work, 0, 1, sc.existed(), nil)
		if v := want.recovered(); len(v) > 0 {
			t.Fatalf("writer killed at %d, unkilled Recover: %v", k, v)
		}
		calls := len(ref.Calls)
		outcomes := map[string]int{}
		for j := 1; j <= calls; j++ {
			for _, cut := range []bool{false, true} {
				if cut && !fs.canCut() {
					continue
				}
				crashed(k)
				res := recoverTraced(t, sc, work, tracer.Plan{At: j, Action: tracer.Kill})
				if !res.Acted {
					t.Errorf("writer at %d: Recover kill point %d never reached", k, j)
					continue
				}
				x := &killRow
				var done func() error
				if cut {
					x = &cutRow
					var err error
					if done, err = fs.powerCut(); err != nil {
						t.Fatal(err)
					}
				}
				mid := sc.look(work, 0, 1, sc.existed(), nil)
				for _, v := range mid.violations() {
					t.Errorf("writer at %d, Recover killed at %d (%s), power cut %v: %s", k, j, res.Calls[j-1], cut, v)
				}
				x.tally(mid)
				recoverCLI(t, sc, work)
				end := sc.look(work, 0, 1, sc.existed(), nil)
				for _, v := range end.recovered() {
					t.Errorf("writer at %d, Recover killed at %d (%s), power cut %v, then Recover: %s", k, j, res.Calls[j-1], cut, v)
				}
				// Without a power cut the machine keeps what the writer did,
				// so the end is the one an unkilled Recover reaches. A cut
				// can also take back the writer's last steps (its journal's
				// name, say): then all old or all new, as the disk says.
				if !cut && end.set() != want.set() {
					t.Errorf("writer at %d, Recover killed at %d (%s), power cut %v, then Recover: %s, want %s as an unkilled Recover leaves it",
						k, j, res.Calls[j-1], cut, end, want)
				}
				x.tallyRecovered(end)
				outcomes[end.String()]++
				if done != nil {
					if err := done(); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		var seen []string
		for o, n := range outcomes {
			seen = append(seen, fmt.Sprintf("%s ×%d", o, n))
		}
		detail = append(detail, fmt.Sprintf("| %s | %d | %s | %s |", strings.ReplaceAll(rec.Calls[k-1].String(), work, "…"), calls, want, strings.Join(seen, "; ")))
	}
	suite.report.add(killRow)
	if fs.canCut() {
		suite.report.add(cutRow)
	}
	suite.report.detail(fmt.Sprintf("%s, %s: Recover killed (and power cut) before each of its calls", fs.name, sc.name), detail)
}

// recoverTraced runs `atomicwrite --recover` on the scenario's directories
// under the tracer.
func recoverTraced(t *testing.T, sc scenario, work string, plan tracer.Plan) tracer.Result {
	t.Helper()
	res, stderr := traceIn(t, exec.Command(sc.binary(), sc.recoverArgs(work)...), work, plan)
	if !plan.Action.Kills() && res.Status.ExitStatus() != 0 {
		t.Fatalf("atomicwrite --recover: %v: %s", res.Status, stderr)
	}
	return res
}
