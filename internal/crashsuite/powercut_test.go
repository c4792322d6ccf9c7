//go:build linux && amd64

package crashsuite

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atomicwrite/atomicwrite/internal/tracer"
	"github.com/atomicwrite/atomicwrite/txn"
)

// TestPowerCut kills the writer just before each of its file system calls
// in turn, checks what a still-running machine shows (a Reader that held
// the directories from before the writer ran must read what ReadSet
// reads), then cuts the power and checks what the disk shows after a
// remount; and after each, runs
// `atomicwrite --recover`, after which the set must be all old or all new
// with nothing left behind. The last state is the run that was not killed:
// after the power cut it must be all new, since the CLI reported success.
func TestPowerCut(t *testing.T) {
	forEachCase(t, powerCut)
}

func powerCut(t *testing.T, fs *filesystem, sc scenario) {
	work := filepath.Join(fs.dir, "powercut-"+sc.name)
	sc.setUp(t, work, 0)
	rec, stderr := sc.traced(t, work, 1, tracer.Plan{})
	if rec.Status.ExitStatus() != 0 || len(rec.Calls) == 0 {
		t.Fatalf("recording run: %v, %d calls: %s", rec.Status, len(rec.Calls), stderr)
	}
	steps := len(rec.Calls)
	killRow := row{fs: fs.name, scenario: sc.name, mode: "kill at every call"}
	cutRow := row{fs: fs.name, scenario: sc.name, mode: "kill at every call + power cut"}
	var detail []string
	detail = append(detail, "| step | killed before | after the kill (machine running) | after the power cut |", "|---:|---|---|---|")
	for k := 1; k <= steps+1; k++ {
		sc.setUp(t, work, 0)
		// A Reader that holds A and B, and their marks, from before the
		// writer ran must read after the kill what ReadSet reads.
		var kept txn.Reader
		sc.look(work, 0, 1, sc.existed(), &kept)
		plan := tracer.Plan{At: k, Action: tracer.Kill}
		what := "(not killed: the CLI completed)"
		if k > steps {
			plan = tracer.Plan{}
		}
		res, stderr := sc.traced(t, work, 1, plan)
		completed := !plan.Action.Kills()
		if completed {
			if res.Status.ExitStatus() != 0 {
				t.Fatalf("unkilled run: %v: %s", res.Status, stderr)
			}
		} else {
			if !res.Acted {
				t.Errorf("step %d: the kill point was never reached (%d calls)", k, len(res.Calls))
				continue
			}
			what = res.Calls[k-1].String()
		}
		after := sc.look(work, 0, 1, sc.existed(), &kept)
		for _, v := range after.violations() {
			t.Errorf("step %d (%s), after the kill: %s", k, what, v)
		}
		if err := kept.Close(); err != nil { // before the filesystem's unmount
			t.Fatal(err)
		}
		killRow.tally(after)
		cutText := "n/a (no power cut on " + fs.name + ")"
		if fs.canCut() {
			done, err := fs.powerCut()
			if err != nil {
				t.Fatal(err)
			}
			crashed := sc.look(work, 0, 1, sc.existed(), nil)
			for _, v := range crashed.violations() {
				t.Errorf("step %d (%s), after the power cut: %s", k, what, v)
			}
			if completed && crashed.set() != "all-new" {
				t.Errorf("acknowledged write lost in the power cut: %v", crashed)
				cutRow.violations++
			}
			cutRow.tally(crashed)
			recoverCLI(t, sc, work)
			rec := sc.look(work, 0, 1, sc.existed(), nil)
			for _, v := range rec.recovered() {
				t.Errorf("step %d (%s), power cut, then Recover: %s", k, what, v)
			}
			if completed && rec.set() != "all-new" {
				t.Errorf("acknowledged write lost after Recover: %v", rec)
			}
			cutRow.tallyRecovered(rec)
			cutText = crashed.String() + " → Recover → " + rec.String()
			if err := done(); err != nil {
				t.Fatal(err)
			}
		}
		// The machine kept running: Recover on what the kill left.
		recoverCLI(t, sc, work)
		rec := sc.look(work, 0, 1, sc.existed(), nil)
		for _, v := range rec.recovered() {
			t.Errorf("step %d (%s), kill, then Recover: %s", k, what, v)
		}
		killRow.tallyRecovered(rec)
		detail = append(detail, fmt.Sprintf("| %d | %s | %s → Recover → %s | %s |", k, strings.ReplaceAll(what, work, "…"), after, rec, cutText))
	}
	suite.report.add(killRow)
	if fs.canCut() {
		suite.report.add(cutRow)
	}
	suite.report.detail(fmt.Sprintf("%s, %s: kill (and power cut) before each call", fs.name, sc.name), detail)
}
