//go:build linux && amd64

package crashsuite

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/atomicwrite/atomicwrite/txn"
)

// killsPerRun is how many writers each filesystem and scenario sees killed.
const killsPerRun = 1000

// TestKillTorture starts the writer over and over and SIGKILLs it at a
// random instant of its run, until it has been killed killsPerRun times.
// Each target must then hold the complete content it had before the run
// or the complete new one; a run that was not killed in time must have
// written everything. The machine keeps running: renames already done stay
// done, so mixed transaction sets show up here (and are reported); after
// txn.Recover, none may remain, nor any leftover file.
func TestKillTorture(t *testing.T) {
	forEachCase(t, torture)
}

func torture(t *testing.T, fs *filesystem, sc scenario) {
	if !sc.repeatable() {
		t.Skip("a scenario that removes or creates only can run once: the kill-at-every-call tests cover it")
	}
	work := filepath.Join(fs.dir, "torture-"+sc.name)
	sc.setUp(t, work, 0)
	gen := 0
	// prev[i] is what target i holds now (nil: absent).
	prev := make([][]byte, len(sc.targets))
	for i, tg := range sc.targets {
		if tg.existed {
			prev[i] = content(i, 0)
		}
	}
	// A typical run's length sets the range of the random kill instants.
	var lengths []time.Duration
	for range 5 {
		gen++
		start := time.Now()
		if out, err := sc.command(t, work, gen).CombinedOutput(); err != nil {
			t.Fatalf("run: %v: %s", err, out)
		}
		lengths = append(lengths, time.Since(start))
	}
	slices.Sort(lengths)
	typical := lengths[len(lengths)/2]
	for i := range sc.targets {
		prev[i] = content(i, gen)
	}

	x := row{fs: fs.name, scenario: sc.name, mode: "random SIGKILL"}
	completed := 0
	for kills := 0; kills < killsPerRun; {
		if completed > 20*killsPerRun {
			t.Fatalf("only %d kills in %d runs: the kills come too late", kills, completed)
		}
		gen++
		cmd := sc.command(t, work, gen)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rand.Int64N(int64(typical) * 5 / 4)))
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
		killed := ws.Signaled()
		if killed {
			kills++
		} else {
			completed++
			if ws.ExitStatus() != 0 {
				t.Fatalf("run %d failed: %v", gen, ws)
			}
		}
		st := state{}
		before := slices.Clone(prev)
		for i, tg := range sc.targets {
			b, err := os.ReadFile(filepath.Join(work, tg.rel))
			switch {
			case err == nil && bytes.Equal(b, content(i, gen)):
				st.each = append(st.each, "new")
			case err == nil && bytes.Equal(b, prev[i]):
				st.each = append(st.each, "old")
			case os.IsNotExist(err) && prev[i] == nil:
				st.each = append(st.each, "absent")
			case err != nil:
				st.each = append(st.each, "MISSING: "+err.Error())
			default:
				st.each = append(st.each, fmt.Sprintf("TORN (%d bytes)", len(b)))
			}
			if err == nil {
				prev[i] = b
			}
		}
		st.leftovers = sc.look(work, gen, gen, sc.existed(), nil).leftovers
		for _, v := range st.violations() {
			t.Errorf("run %d (killed=%v): %s", gen, killed, v)
		}
		if !killed && st.set() != "all-new" {
			t.Errorf("run %d completed but left %v", gen, st)
			x.violations++
		}
		if killed {
			x.tally(st)
		}
		if len(st.leftovers) > 0 || st.set() == "mixed" {
			if err := txn.Recover(filepath.Join(work, "A"), filepath.Join(work, "B")); err != nil {
				t.Fatal(err)
			}
			for i, tg := range sc.targets {
				b, err := os.ReadFile(filepath.Join(work, tg.rel))
				switch {
				case err == nil && bytes.Equal(b, content(i, gen)):
					st.each[i] = "new"
				case err == nil && bytes.Equal(b, before[i]):
					st.each[i] = "old"
				case os.IsNotExist(err) && before[i] == nil:
					st.each[i] = "absent"
				default:
					st.each[i] = fmt.Sprintf("WRONG after Recover (%d bytes, %v)", len(b), err)
				}
				prev[i] = nil
				if err == nil {
					prev[i] = b
				}
			}
			st.leftovers = sc.look(work, gen, gen, sc.existed(), nil).leftovers
		}
		for _, v := range st.recovered() {
			t.Errorf("run %d, then Recover: %s", gen, v)
		}
		if killed {
			x.tallyRecovered(st)
		}
	}
	x.notes = fmt.Sprintf("%d runs finished before their kill; a run lasts about %v", completed, typical.Round(time.Millisecond))
	suite.report.add(x)
}
